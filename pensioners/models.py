"""The registry: areas, pensioners, their benefit lines and certification state."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.masking import mask_id_number


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")


class AreaQuerySet(models.QuerySet):
    def within(self, area) -> "AreaQuerySet":
        return self.filter(code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> "AreaQuerySet":
        return self.filter(code=user.area_id)

    def streets(self) -> "AreaQuerySet":
        return self.filter(level=AreaLevel.STREET)

    def communities(self) -> "AreaQuerySet":
        return self.filter(level=AreaLevel.COMMUNITY)


class Area(models.Model):
    """A node of the division tree: city (500000), district (6 digits), street (9), community (12).

    A child's code starts with its parent's, so "everything in this area" is a prefix match on a code
    column with the C collation, which an ordinary btree index serves.
    """

    code = models.CharField(_("code"), max_length=12, primary_key=True, db_collation="C")
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="area_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        # The city's own code (500000) is not a prefix of its districts' (500101...); its province
        # digits are.
        return self.code[:2] if self.level == AreaLevel.CITY else self.code

    def contains_code(self, code: str) -> bool:
        return code.startswith(self.scope_prefix)

    def path(self) -> list["Area"]:
        """This area and its ancestors, from the top (for breadcrumbs); a few primary-key lookups."""
        chain = [self]
        while chain[-1].parent_id:
            chain.append(chain[-1].parent)
        return list(reversed(chain))

    def full_name(self) -> str:
        return "".join(area.name for area in self.path() if area.level != AreaLevel.CITY)


class Scheme(models.TextChoices):
    """The five pension-type benefits in scope (domain.md); the labels are their official names."""

    ENTERPRISE = "enterprise", "企业职工基本养老保险"
    PUBLIC_SECTOR = "public_sector", "机关事业单位养老保险"
    URBAN_RURAL = "urban_rural", "城乡居民基本养老保险"
    LAND_EXPROPRIATED = "land_expropriated", "被征地人员养老保障"
    WORK_INJURY = "work_injury", "工伤保险长期待遇"


class PaymentStatus(models.TextChoices):
    """Comes only from recorded decisions, never from the clock."""

    ACTIVE = "active", _("Paid")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated (death)")
    STOPPED = "stopped", _("Stopped (imprisonment)")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PensionerQuerySet(models.QuerySet):
    def within(self, area) -> "PensionerQuerySet":
        return self.filter(community__code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> "PensionerQuerySet":
        """Home-visit team members reach only the people their visits take them to. Which people that is
        belongs to the visits capability, registered as the visitor's reach (pensioners.contracts)."""
        from pensioners.contracts import visitor_reach

        return self.filter(visitor_reach(user))

    def born_on_or_before(self, day) -> "PensionerQuerySet":
        return self.filter(birth_date__lte=day)


class Pensioner(models.Model):
    """One person drawing one or more pension-type benefits. One person, one record (the ID number)."""

    # Unique through a constraint rather than unique=True: Django would add a second, "_like" index, which
    # the C collation makes redundant (and every index costs seconds per million imported rows).
    id_number = models.CharField(_("ID number"), max_length=18, db_collation="C")
    legacy_id_number = models.CharField(_("legacy 15-digit ID number"), max_length=15, blank=True)
    # A person's name is 姓名; "name" alone is also a thing's name (名称: areas, teams, sources).
    name = models.CharField(pgettext_lazy("name of a person", "name"), max_length=40, db_collation="C")
    # Written with the name, for search by pinyin (wangjianguo) or initials (wjg).
    name_pinyin = models.CharField(max_length=120, db_collation="C", editable=False)
    name_initials = models.CharField(max_length=40, db_collation="C", editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_collation="C")
    alternate_phone = models.CharField(_("family contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="pensioners",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
        db_index=False,  # served by the (community, name) index below
    )
    abroad_country = models.CharField(_("country of residence abroad"), max_length=40, blank=True)
    needs_home_service = models.BooleanField(_("needs home service"), default=False)
    home_service_reason = models.CharField(_("reason for home service"), max_length=200, blank=True)
    phone_known_wrong = models.BooleanField(_("phone known wrong"), default=False)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    # When the phone numbers or address last changed: a new way to reach someone whom every earlier
    # way failed keeps them out of a suspension batch (issue 15).
    contact_changed_at = models.DateTimeField(_("contact details changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PensionerQuerySet.as_manager()

    class Meta:
        verbose_name = _("pensioner")
        verbose_name_plural = _("pensioners")
        constraints = [models.UniqueConstraint(fields=["id_number"], name="pensioner_id_number_unique")]
        indexes = [
            # Search: each shape of query has an index that answers it (see pensioners/search.py).
            models.Index(models.functions.Reverse("id_number"), name="pensioner_id_reversed"),
            models.Index(
                fields=["legacy_id_number"],
                name="pensioner_legacy_id",
                condition=~models.Q(legacy_id_number=""),
            ),
            models.Index(fields=["phone"], name="pensioner_phone"),
            models.Index(models.functions.Reverse("phone"), name="pensioner_phone_reversed"),
            # Carrying the community in the name indexes lets a scoped search check the area inside the index
            # instead of visiting a thousand rows of other districts.
            models.Index(fields=["name", "id"], include=["community"], name="pensioner_name_scoped"),
            models.Index(fields=["name_pinyin", "id"], include=["community"], name="pensioner_pinyin_scoped"),
            models.Index(
                fields=["name_initials", "id"], include=["community"], name="pensioner_initials_scoped"
            ),
            models.Index(fields=["community", "name"], name="pensioner_community_name"),
            # The few with a death date: the reports' "newly overdue" leaves out whoever died before the
            # deadline, and looking that up among eight million rows was a join over all of them.
            models.Index(
                fields=["id"],
                include=["death_date"],
                name="pensioner_died",
                condition=models.Q(death_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {mask_id_number(self.id_number)}"

    def audit_area_code(self) -> str:
        return self.community_id


class BenefitLine(models.Model):
    """One benefit a pensioner draws. A person may hold several; one certification covers them all."""

    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.CASCADE, related_name="benefit_lines", db_index=False
    )  # served by the unique (pensioner, scheme) index
    scheme = models.CharField(_("scheme"), max_length=24, choices=Scheme.choices)
    first_benefit_date = models.DateField(_("first benefit date"))
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("benefit line")
        verbose_name_plural = _("benefit lines")
        constraints = [models.UniqueConstraint(fields=["pensioner", "scheme"], name="one_line_per_scheme")]
        ordering = ["first_benefit_date"]

    def __str__(self) -> str:
        return self.get_scheme_display()


class AreaScopedQuerySet(models.QuerySet):
    """The one base for records of a person that carry the person's community code in `area_code`.

    `portal.scoping.Scope.restrict` calls these two verbs; every such model's manager derives from here.
    """

    def within(self, area):
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user):
        return self.filter(pensioner__in=Pensioner.objects.visible_to_visitor(user).values("pk"))


class CertificationStateQuerySet(AreaScopedQuerySet):
    def workable(self) -> "CertificationStateQuerySet":
        """People staff must chase: paid, and with no death reported. Matches the queue indexes."""
        return self.filter(status=PaymentStatus.ACTIVE, death_reported=False)

    def overdue(self, today) -> "CertificationStateQuerySet":
        return self.workable().filter(next_due_on__lt=today)

    def due_within(self, today, days: int) -> "CertificationStateQuerySet":
        return self.workable().filter(next_due_on__gte=today, next_due_on__lte=today + timedelta(days=days))

    def current(self, today, days: int) -> "CertificationStateQuerySet":
        return self.workable().filter(next_due_on__gt=today + timedelta(days=days))

    def not_snoozed(self, today) -> "CertificationStateQuerySet":
        return self.filter(models.Q(snoozed_until__isnull=True) | models.Q(snoozed_until__lte=today))


class CertificationState(models.Model):
    """Where each pensioner stands: latest certification and deadline. One narrow row per pensioner.

    Kept apart from the wide, heavily indexed registry row because it is what changes all the time: a
    data-comparison file updates a million of these at once, and every extra index on this table costs
    seconds there (and prevents PostgreSQL's HOT updates). The certification service maintains it.
    """

    pensioner = models.OneToOneField(
        Pensioner, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    # A copy of the pensioner's community code, so that scoped queues never join the registry.
    area_code = models.CharField(max_length=12, db_collation="C")
    # A copy of the birth date (read from the ID number; it never changes), so that the reports' counts of
    # the overdue aged 80 and 90 never join the registry: that join was half of the city's refresh.
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    status = models.CharField(
        _("payment status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.ACTIVE
    )
    death_reported = models.BooleanField(_("death reported"), default=False)
    # The latest certification the legacy roster knew of (no certification record behind it).
    roster_certified_on = models.DateField(null=True, blank=True)
    latest_certified_on = models.DateField(_("latest certification"), null=True, blank=True)
    latest_channel = models.CharField(_("latest channel"), max_length=20, blank=True)
    next_due_on = models.DateField(_("deadline"))
    # Queue work, kept here so that a queue page reads one narrow table. No index: the queue index
    # finds the rows, these only filter them.
    snoozed_until = models.DateField(_("hidden from the queue until"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )
    last_contact_outcome = models.CharField(_("last contact outcome"), max_length=24, blank=True)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)

    objects = CertificationStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification state")
        verbose_name_plural = _("certification states")
        indexes = [
            # An area's people: its queues, its suspension candidates, its coverage report and its counts
            # (a prefix range on the area, then the deadline). Every status is in it, so that a street's
            # report reads only its own people; the status, the death flag and the snooze are carried, so
            # that a count of the queue never leaves the index.
            models.Index(
                fields=["area_code", "next_due_on"],
                include=["status", "death_reported", "snoozed_until"],
                name="state_area",
            ),
            # The city's queues in deadline order: the first page of two million overdue people is the
            # first 50 entries here, not a sort of all of them (issue 17). The area code is in the index
            # so that a district's queue can be read in deadline order too, skipping other districts.
            models.Index(
                fields=["next_due_on", "area_code"],
                include=["snoozed_until"],
                name="state_deadline",
                condition=models.Q(status="active", death_reported=False),
            ),
            # A district's queue counts: its people in deadline order. In state_area a district is one
            # range of area codes, and a count of one month's deadlines read the whole district's 580,000
            # entries to find its 5,000 (12 ms, three times a page); here it reads the 5,000 (2 ms).
            models.Index(
                Left("area_code", 6),
                F("next_due_on"),
                include=["area_code", "snoozed_until"],  # so that the count never leaves the index
                name="state_district_deadline",
                condition=models.Q(status="active", death_reported=False),
            ),
            # My queue: the few people assigned to each worker, whatever the size of the area.
            models.Index(
                fields=["assigned_to", "next_due_on"],
                name="state_assigned",
                condition=models.Q(assigned_to__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pensioner_id}: {self.next_due_on}"


class FormSubmission(models.Model):
    """One submitted page, known by the random token the page carried (a hidden field).

    A double click, a resubmitted page or a second tab sends the same token again: the write that
    inserts the token first does the work, and every later POST of that page finds the first one's
    result here instead of doing it twice. The primary key, not the application, guarantees it.
    """

    token = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=20)  # what the form created: "certification", "pensioner"
    object_id = models.BigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
