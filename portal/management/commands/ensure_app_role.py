"""Create (or bring up to date) the role the portal runs as; run it after `migrate`, as the owner.
Prints `role=<name>` last."""

from django.core.management.base import BaseCommand
from django.db import connection

from portal.db_roles import APP_ROLE, ensure_app_role


class Command(BaseCommand):
    help = "Create the app's database role: it may add audit events, never change or truncate them."

    def handle(self, *args, **options):
        ensure_app_role(connection)
        self.stdout.write(f"role={APP_ROLE}")
