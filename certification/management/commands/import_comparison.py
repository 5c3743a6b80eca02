"""Import a data-comparison file. Prints `certified= death_cases= evidence_only= ignored= rejected=` last."""

from django.core.management.base import BaseCommand

from certification.comparison.importer import comparison_import
from portal.imports.runner import run_import_command


class Command(BaseCommand):
    help = "Import other agencies' alive and death signals (CSV in UTF-8/GB18030, or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="decide every row's fate, write nothing")
        parser.add_argument("--rejects", metavar="PATH", help="write rejected rows to this CSV file")

    def handle(self, *args, file, dry_run, rejects, **options):
        run_import_command(self, comparison_import, path=file, dry_run=dry_run, rejects_path=rejects)
