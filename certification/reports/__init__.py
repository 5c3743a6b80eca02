"""The supervisors' numbers: coverage, trends, activity, snapshots."""
