"""Home visits: requests, teams, scheduling, the visitor's phone screen and the printable sheet."""
