"""Register a channel API client. Prints `client=<id> token=<token>` last: the token is shown only here,
so hand it to the system's operators now (only its digest is stored)."""

from django.core.management.base import BaseCommand, CommandError

from certification.api.models import API_CHANNELS, Scope
from certification.api.services import channel_client_create
from portal.errors import Refused


def _codes(text: str, allowed: list[str], what: str) -> list[str]:
    codes = [code.strip() for code in (text or "").split(",") if code.strip()]
    unknown = [code for code in codes if code not in allowed]
    if unknown:
        raise CommandError(f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return codes


class Command(BaseCommand):
    help = "Register a client of the inbound channel API and print its token once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the system's name, e.g. 重庆人社app")
        parser.add_argument(
            "--channels",
            required=True,
            help=f"comma list of channels it may report: {', '.join(c.value for c in API_CHANNELS)}",
        )
        parser.add_argument("--scopes", default="", help="comma list of extra rights: status")

    def handle(self, *args, name, channels, scopes, **options):
        channel_codes = _codes(channels, [c.value for c in API_CHANNELS], "channel")
        scope_codes = _codes(scopes, [s.value for s in Scope], "scope")
        try:
            client, token = channel_client_create(
                actor=None, name=name, channels=channel_codes, scopes=scope_codes
            )
        except Refused as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(f"channels={','.join(client.channels)} scopes={','.join(client.scopes) or '-'}")
        self.stdout.write(f"client={client.pk} token={token}")
