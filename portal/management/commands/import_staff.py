"""Onboard staff from a file (CSV in UTF-8/GB18030, or XLSX). Prints `created= updated= unchanged= rejected=`
last. The new accounts' temporary passwords go to --passwords (default: FILE.passwords.csv, readable by
the operator only); each must be changed at first log-in."""

import os
from pathlib import Path

from portal.imports.runner import ImportCommand, run_import_command
from portal.models import ImportKind
from portal.staff.staff_import import credentials_sheet, staff_import


class Command(ImportCommand):
    help = "Create or update staff accounts from a file: login, name, role, area code, team, phone."
    kind = ImportKind.STAFF

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--passwords", metavar="PATH", help="where to write the new accounts' temporary passwords"
        )

    def handle(self, *args, file, dry_run, rejects, passwords=None, **options):
        results = {}

        def run(*, path, dry_run):
            results["summary"] = summary = staff_import(path=path, dry_run=dry_run)
            return summary

        target = Path(passwords or f"{file}.passwords.csv")
        run_import_command(self, run, path=file, dry_run=dry_run, rejects_path=rejects)
        credentials = results["summary"].credentials
        if credentials:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(credentials_sheet(credentials))
            self.stderr.write(f"temporary passwords of {len(credentials)} new accounts: {target}")
