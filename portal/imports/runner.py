"""What both file imports share: the command-line runner and the rejects file."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from portal.exports.files import neutralise_formula
from portal.imports.tabular import UnreadableFile


@dataclass
class UpsertSummary:
    """What an import that creates or updates records by a key did: the counts and the rejected rows
    (row number, key, reason). `as_line()` is the command's last line; `as_dict()` the job's summary."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def as_line(self) -> str:
        line = f"created={self.created} updated={self.updated} unchanged={self.unchanged} rejected={self.rejected}"
        return line + (" dry_run=yes" if self.dry_run else "")

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def write_rejects(path: str | Path, rejects: list[tuple[int, str, str]]) -> None:
    """`row,id_number,reason`, rows numbered as a spreadsheet shows them (header = row 1).

    UTF-8 with a BOM, so that Excel opens the Chinese reasons correctly. The rows echo the uploaded file's
    text: a value that could run as a formula gets a leading apostrophe, as in every export. Not
    exports.files.write_csv: that one reads cells as a list shows them ("-" is empty, ISO text a date),
    and a rejects file must echo the input as it was sent.
    """
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "id_number", "reason"])
        writer.writerows([neutralise_formula(value) for value in row] for row in rejects)


def run_import_command(command, importer, *, path: str, dry_run: bool, rejects_path: str | None) -> None:
    """Run an import for a management command: reasons on stderr, the one-line summary last on stdout."""
    if not Path(path).is_file():
        raise CommandError(f"no such file: {path}")
    translation.activate(settings.LANGUAGE_CODE)  # reasons in the rejects file are for Chinese staff
    try:
        summary = importer(path=path, dry_run=dry_run)
    except UnreadableFile as error:
        raise CommandError(f"file not processed: {error}") from error
    for row_number, id_number, reason in summary.rejects[:50]:
        command.stderr.write(f"row {row_number} ({id_number or '-'}): {reason}")
    if len(summary.rejects) > 50:
        command.stderr.write(f"... and {len(summary.rejects) - 50} more rejected rows")
    if rejects_path:
        write_rejects(rejects_path, summary.rejects)
    sys.stderr.flush()
    command.stdout.write(summary.as_line())


class ImportCommand(BaseCommand):
    """`manage.py <command> FILE [--dry-run] [--rejects PATH]`: runs the importer registered for `kind`
    (portal.contracts), the same one the upload page's background job runs."""

    kind = ""
    dry_run_help = "check and count, write nothing"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        parser.add_argument("--rejects", metavar="PATH", help="write rejected rows to this CSV file")

    def handle(self, *args, file, dry_run, rejects, **options):
        from portal.contracts import importer

        run_import_command(self, importer(self.kind).run, path=file, dry_run=dry_run, rejects_path=rejects)
