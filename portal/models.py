"""Staff users and the append-only audit log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.roles import Role, role_can


class StaffQuerySet(models.QuerySet):
    def within(self, area) -> "StaffQuerySet":
        """Staff whose area lies in `area` (a district's supervisor sees its streets' and communities')."""
        return self.filter(area__code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> "StaffQuerySet":
        return self.none()


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class User(AbstractUser):
    """A member of staff. Each works in exactly one area, with one role."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "pensioners.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set by an administrator's reset (and on every new account): the temporary password works once, to
    # choose a new one, and nothing else opens until then (portal/staff/middleware.py).
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    objects = StaffManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.full_name or self.username

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)

    def audit_area_code(self) -> str:
        return self.area_id or ""


class AuditEventQuerySet(models.QuerySet):
    def within(self, area) -> "AuditEventQuerySet":
        """Events about records in the area, and everything staff of the area did (wherever the record
        was): a worker's look at a person of another district is on her own supervisor's log too.
        Events with no area are visible to the city only."""
        if area.level == "city":
            return self.all()
        return self.filter(
            models.Q(area_code__startswith=area.code) | models.Q(actor_area_code__startswith=area.code)
        )

    def visible_to_visitor(self, user) -> "AuditEventQuerySet":
        return self.none()


class AuditEvent(models.Model):
    """One thing that happened, written once and never changed.

    The database refuses UPDATE and DELETE on this table (trigger in migration 0002), so not even a bug
    or a console session can rewrite history.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("who"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    area_code = models.CharField(_("area code"), max_length=12, blank=True, db_collation="C")
    # A database default too: set-based SQL (the comparison feed) writes events without naming it.
    actor_area_code = models.CharField(
        _("staff member's area"), max_length=12, blank=True, default="", db_default="", db_collation="C"
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["area_code", "at"], name="audit_area_at"),
            models.Index(fields=["actor_area_code", "at"], name="audit_actor_area_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"


class AuditSeal(models.Model):
    """The hash chain over the audit log: each committed event, in id order, sealed with
    sha256(previous seal + the event's content). Written by `audit_seal` (every few minutes, Celery beat),
    append-only like the log itself; `manage.py verify_audit` recomputes it. An edited, deleted or
    back-dated event no longer fits the chain. `event_id` is a plain number, not a foreign key, so a
    deleted event is still named by its seal."""

    event_id = models.BigIntegerField(primary_key=True)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit seal")
        ordering = ["event_id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.chain_hash[:12]}"


class ImportKind(models.TextChoices):
    ROSTER = "roster", _("Pensioner roster")
    COMPARISON = "comparison", _("Data comparison")
    STAFF = "staff", _("Staff accounts")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed (nothing written)")


SUMMARY_LABELS = {
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "rejected": _("rejected"),
    "certified": _("certified"),
    "death_cases": _("death cases"),
    "evidence_only": _("evidence only"),
    "ignored": _("ignored"),
}


class ImportJobQuerySet(models.QuerySet):
    def within(self, area) -> "ImportJobQuerySet":
        # Files are city-wide: only the city sees the import history.
        return self.all() if area.level == "city" else self.none()

    def visible_to_visitor(self, user) -> "ImportJobQuerySet":
        return self.none()


def _import_upload_path(job, filename: str) -> str:
    from portal.uploads import short_stored_name

    # The browser's name may be longer than the file system allows; the full name is kept in original_name.
    return f"imports/{job.kind}/{timezone.now():%Y%m%d-%H%M%S}-{short_stored_name(filename)}"


class BackgroundJob(models.Model):
    """What an import and an export job share: progress a worker writes and a page polls, and its times."""

    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written every few seconds by the worker while it works (portal.jobs.heartbeat): a running job whose
    # heartbeat stopped lost its worker, and is marked failed instead of "running" forever.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {"done", "failed"}


class ImportJob(BackgroundJob):
    """One uploaded file and what its import did; the rejects file is kept for download."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=_import_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    rejects_file = models.FileField(
        _("rejected rows"), upload_to="imports/rejects/", blank=True, max_length=300
    )
    # A staff import's temporary passwords, for the uploader to hand out: downloaded once, then deleted.
    credentials_file = models.FileField(
        _("temporary passwords"), upload_to="imports/credentials/", blank=True, max_length=300
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="import_kind_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    def summary_items(self) -> list[tuple[str, int]]:
        return [(SUMMARY_LABELS.get(key, key), value) for key, value in self.summary.items()]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Export failed")


class ExportJobQuerySet(models.QuerySet):
    def within(self, area) -> "ExportJobQuerySet":
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> "ExportJobQuerySet":
        return self.none()  # visit teams export nothing


class ExportJob(BackgroundJob):
    """A list too long to export while the browser waits: a worker writes the file, its owner downloads it.

    The job keeps the page and the query it was asked from; the worker runs that same list view as the
    owner, so the file holds exactly what the owner's screen and scope show, at the time it runs.
    """

    path = models.CharField(_("page"), max_length=200)
    query = models.TextField(_("query"), blank=True)
    export_format = models.CharField(_("format"), max_length=8)
    filename = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=16, blank=True)
    area_code = models.CharField(_("area code"), max_length=12, blank=True, db_collation="C")
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="exports/", blank=True, max_length=300)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="export_owner_recent")]

    def __str__(self) -> str:
        return f"{self.filename}.{self.export_format}"

    def audit_area_code(self) -> str:
        return self.area_code

    @property
    def list_url(self) -> str:
        """The list the export was asked from (without ?_export=, which would export again)."""
        from django.http import QueryDict

        query = QueryDict(self.query, mutable=True)
        query.pop("_export", None)
        return f"{self.path}?{query.urlencode()}" if query else self.path


from portal.staff.models import PasswordHistory  # noqa: E402,F401  (the staff room's model, for Django)
