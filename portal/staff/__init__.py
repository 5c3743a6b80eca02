"""Staff administration: accounts, visit teams, passwords (the staff-accounts issue lands here)."""
