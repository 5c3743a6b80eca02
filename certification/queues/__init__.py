"""The work queues: due soon, overdue, my queue; assignment and contact attempts."""
