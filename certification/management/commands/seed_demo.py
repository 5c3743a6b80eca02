"""Load demo data: the Chongqing division tree, generated communities, demo staff and pensioners."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pensioners.areas import area_generate_communities, area_load_divisions
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_staff_create
from portal.models import User


class Command(BaseCommand):
    help = "Load demo areas, staff and pensioners (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--pensioners", type=int, default=2000, help="how many pensioners to generate")
        parser.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")

    def handle(self, *args, pensioners, seed, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo writes demo data and refuses to run with DEBUG off; use --force.")
        if if_empty and User.objects.exists():
            self.stdout.write("seeded=0 reason=database-not-empty")
            return
        areas = area_load_divisions()
        communities = area_generate_communities(per_street=3)
        staff = demo_staff_create()
        logins = ", ".join(username for username, *_ in DEMO_LOGINS)
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {logins}")
        self.stdout.write(f"areas={areas} communities={communities} staff={len(staff)}")
