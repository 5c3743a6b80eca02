"""Import a data-comparison file. Prints `certified= death_cases= evidence_only= ignored= rejected=` last."""

from portal.imports.runner import ImportCommand
from portal.models import ImportKind


class Command(ImportCommand):
    help = "Import other agencies' alive and death signals (CSV in UTF-8/GB18030, or XLSX)."
    kind = ImportKind.COMPARISON
    dry_run_help = "decide every row's fate, write nothing"
