"""Load demo data: the Chongqing division tree, generated communities, demo staff and pensioners."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from certification.demo import demo_work_create
from pensioners.areas import area_generate_communities, area_load_divisions
from pensioners.demo import demo_people
from pensioners.models import Area, AreaLevel, Pensioner
from pensioners.roster_import import roster_rows_apply
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_staff_create
from portal.models import User

# The demo staff work in 渝中区, 解放碑街道: half of the generated people live there.
HOME_STREET = "500103003"
HOME_DISTRICT = "500103"


class Command(BaseCommand):
    help = "Load demo areas, staff and pensioners (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--pensioners", type=int, default=3000, help="how many pensioners to generate")
        parser.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")

    def handle(self, *args, pensioners, seed, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (even on an empty database): it writes demo data "
                "with known passwords. To load it on this server anyway, run: manage.py seed_demo --force"
            )
        translation.activate(settings.LANGUAGE_CODE)
        if if_empty and User.objects.exists():
            self.stdout.write("seeded=0 reason=database-not-empty")
            return
        areas = area_load_divisions()
        communities = area_generate_communities(per_street=3)
        staff = demo_staff_create()
        people = self.seed_pensioners(count=pensioners, seed=seed)
        work = demo_work_create(seed=seed) if people else {}
        logins = ", ".join(username for username, *_ in DEMO_LOGINS)
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {logins}")
        work_counts = " ".join(f"{key}={value}" for key, value in work.items())
        self.stdout.write(
            f"areas={areas} communities={communities} staff={len(staff)} pensioners={people} {work_counts}"
        )

    def seed_pensioners(self, *, count: int, seed: int) -> int:
        if count <= 0:
            return 0
        community_codes = list(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", flat=True))
        home = [code for code in community_codes if code.startswith(HOME_STREET)]
        district = [code for code in community_codes if code.startswith(HOME_DISTRICT)]
        rows = list(
            demo_people(
                count=count,
                seed=seed,
                today=timezone.localdate(),
                community_codes=community_codes,
                home_communities=home * 3 + district,
            )
        )
        with transaction.atomic():
            created, _ = roster_rows_apply(rows)
            # The oldest need home service (bedridden, frail): the visit teams' standing list.
            oldest = Pensioner.objects.filter(birth_date__lt="1936-01-01").order_by("id")[
                : max(1, count // 40)
            ]
            Pensioner.objects.filter(pk__in=list(oldest.values_list("pk", flat=True))).update(
                needs_home_service=True, home_service_reason="高龄行动不便"
            )
        return created
