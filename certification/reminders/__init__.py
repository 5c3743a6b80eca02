"""SMS reminders and confirmations: the outbox, templates, texts, gateways and the job."""
