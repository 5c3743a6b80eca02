"""Import a pensioner roster (CSV in UTF-8/GB18030, or XLSX). Prints `created= updated= rejected=` last."""

from portal.imports.runner import ImportCommand
from portal.models import ImportKind


class Command(ImportCommand):
    help = "Import pensioners from a roster file; rows are created or updated by ID number."
    kind = ImportKind.ROSTER
