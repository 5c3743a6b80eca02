"""Check the audit log against its hash chain. Prints `sealed= unsealed= problems=` last; exits 1 when
something does not fit, naming each event."""

import sys

from django.core.management.base import BaseCommand

from portal.audit_chain import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and seal what is ready first, unless --no-seal)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seal", action="store_true", help="only verify; do not seal new events first"
        )

    def handle(self, *args, no_seal, **options):
        if not no_seal:
            audit_seal()
        result = audit_verify()
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"sealed={result.sealed} unsealed={result.unsealed} problems={len(result.problems)}"
        )
        if not result.intact:
            sys.exit(1)
