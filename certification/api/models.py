"""The inbound channel API's clients and what they reported.

A client is another system (the 重庆人社 app, 渝快办, the 中国领事 app's gateway...) holding a bearer token.
Only the token's SHA-256 digest is stored: the token itself is shown once, when it is issued.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.recording.models import Certification, Channel
from pensioners.models import AreaScopedQuerySet, Pensioner

# The channels a client may report through the API (the others are recorded by staff or by the
# comparison files).
API_CHANNELS = (Channel.APP_SELF, Channel.APP_ASSISTED, Channel.OTHER_APP, Channel.ABROAD_APP)
API_CHANNEL_CHOICES = [(channel.value, channel.label) for channel in API_CHANNELS]


class Scope(models.TextChoices):
    STATUS = "status", _("Read a pensioner's certification status")


class ChannelClientQuerySet(models.QuerySet):
    def within(self, area) -> ChannelClientQuerySet:
        """Clients serve the whole city: only the city's own staff see them (everyone else: nothing)."""
        return self.all() if area.level == "city" else self.none()

    def visible_to_visitor(self, user) -> ChannelClientQuerySet:
        return self.none()

    def usable(self) -> ChannelClientQuerySet:
        return self.filter(active=True, revoked_at__isnull=True)


class ChannelClient(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    channels = ArrayField(
        models.CharField(max_length=20, choices=API_CHANNEL_CHOICES), verbose_name=_("channels"), default=list
    )
    scopes = ArrayField(
        models.CharField(max_length=20, choices=Scope.choices),
        verbose_name=_("scopes"),
        default=list,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)
    token_digest = models.CharField(max_length=64, unique=True, db_collation="C")
    # The token's first characters, so staff can tell which token a system holds without seeing it.
    token_hint = models.CharField(_("token starts with"), max_length=12)
    token_issued_at = models.DateTimeField(_("token issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ChannelClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel client")
        verbose_name_plural = _("channel clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def username(self) -> str:
        """How the audit log names the client."""
        return f"api:{self.name}"[:150]

    @property
    def usable(self) -> bool:
        return self.active and self.revoked_at is None


class RecordStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Duplicate")
    REJECTED = "rejected", _("Rejected")
    PENDING_REVIEW = "pending_review", _("Waiting for review")


class ReviewStatus(models.TextChoices):
    NONE = "", _("No review")
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted on review")
    REJECTED = "rejected", _("Rejected on review")


class ChannelRecordQuerySet(AreaScopedQuerySet):
    def waiting_for_review(self) -> ChannelRecordQuerySet:
        return self.filter(review_status=ReviewStatus.PENDING)


class ChannelRecord(models.Model):
    """One record a client reported, and what the portal answered. A reference that was accepted (or is
    waiting for review) is taken for that client: sent again, it answers `duplicate` and records nothing.
    A rejected reference stays free, so the client can correct the record and send it again."""

    client = models.ForeignKey(
        ChannelClient, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=64, db_collation="C")
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(_("status"), max_length=20, choices=RecordStatus.choices)
    reason_code = models.CharField(_("reason"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    area_code = models.CharField(max_length=12, blank=True, db_collation="C")
    certified_on = models.DateField(_("certification date"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # Set by the review of a record from abroad. An accepted record's certification is the one with the same
    # channel and reference (not written back here: see services._certify).
    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # 境外认 records wait for a clerk: only an accepted review certifies.
    review_status = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus.choices, blank=True, default=ReviewStatus.NONE
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)

    objects = ChannelRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel record")
        verbose_name_plural = _("channel records")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference"],
                condition=models.Q(status__in=["accepted", "pending_review"]),
                name="channel_record_reference_once",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "received_at"], name="channel_record_client_at"),
            models.Index(
                fields=["area_code", "received_at"],
                condition=models.Q(review_status="pending"),
                name="channel_record_review_queue",
            ),
            models.Index(fields=["pensioner"], name="channel_record_person"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.reference}"
