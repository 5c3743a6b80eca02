"""Import a pensioner roster (CSV in UTF-8/GB18030, or XLSX). Prints `created= updated= rejected=` last."""

from django.core.management.base import BaseCommand

from pensioners.roster_import import roster_import
from portal.imports.runner import run_import_command


class Command(BaseCommand):
    help = "Import pensioners from a roster file; rows are created or updated by ID number."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--rejects", metavar="PATH", help="write rejected rows to this CSV file")

    def handle(self, *args, file, dry_run, rejects, **options):
        run_import_command(self, roster_import, path=file, dry_run=dry_run, rejects_path=rejects)
