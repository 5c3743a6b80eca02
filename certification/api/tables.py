"""Tables of the channel-client and review screens."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certification.api.models import API_CHANNEL_CHOICES, ChannelClient, ChannelRecord
from certification.api.rules import REASONS
from certification.decisions.tables import PersonListTable
from portal.tables import NO_WRAP, WIDE_ONLY, ListTable

CHANNEL_LABELS = dict(API_CHANNEL_CHOICES)


def client_state_label(client: ChannelClient) -> str:
    if client.revoked_at is not None:
        return str(_("Token revoked"))
    return str(_("In use")) if client.active else str(_("Disabled"))


class ChannelClientTable(ListTable):
    name = tables.Column(
        verbose_name=_("Client name"),
        linkify=lambda record: reverse("channel-client", args=[record.pk]),
        attrs=NO_WRAP,
    )
    channels = tables.Column(verbose_name=_("Channels"), orderable=False)
    scopes = tables.Column(verbose_name=_("Status queries"), orderable=False, attrs=WIDE_ONLY)
    state = tables.Column(verbose_name=_("State"), accessor="pk", orderable=False, empty_values=())
    token_hint = tables.Column(verbose_name=_("Token starts with"), attrs=WIDE_ONLY)
    token_issued_at = tables.DateTimeColumn(
        verbose_name=_("Token issued"), format="Y-m-d H:i", attrs=WIDE_ONLY
    )
    last_used_at = tables.DateTimeColumn(verbose_name=_("Last call"), format="Y-m-d H:i", attrs=NO_WRAP)

    class Meta(ListTable.Meta):
        model = ChannelClient
        fields = ("name", "channels", "scopes", "state", "token_hint", "token_issued_at", "last_used_at")
        order_by = ("name",)
        empty_text = _("No channel clients yet.")
        row_attrs = {"data-testid": "client-row"}

    def render_channels(self, value):
        return "、".join(str(CHANNEL_LABELS.get(code, code)) for code in value)

    def value_channels(self, value):
        return self.render_channels(value)

    def render_scopes(self, value):
        return _("Yes") if "status" in value else _("No")

    def value_scopes(self, value):
        return str(self.render_scopes(value))

    def render_state(self, record):
        return client_state_label(record)

    def value_state(self, record):
        return client_state_label(record)


class ReviewTable(PersonListTable):
    """The 境外认 records a clerk must review: who, when they were seen, from where, by which app."""

    certified_on = tables.DateColumn(verbose_name=_("Seen on"), format="Y-m-d", attrs=NO_WRAP)
    country = tables.Column(verbose_name=_("Country"), accessor="evidence__country", default="—")
    client = tables.Column(verbose_name=_("Reported by"), accessor="client__name", attrs=WIDE_ONLY)
    received_at = tables.DateTimeColumn(verbose_name=_("Received"), format="Y-m-d H:i", attrs=WIDE_ONLY)
    review_status = tables.Column(verbose_name=_("Review"))
    review = tables.Column(
        verbose_name="", accessor="pk", orderable=False, empty_values=(), exclude_from_export=True
    )

    class Meta(ListTable.Meta):
        model = ChannelRecord
        fields = (
            "name",
            "id_number",
            "community",
            "certified_on",
            "country",
            "client",
            "received_at",
            "review_status",
        )
        order_by = ("received_at",)
        empty_text = _("Nothing waits for review.")
        row_attrs = {"data-testid": "review-row"}

    def render_review(self, record):
        label = _("Review it") if record.review_status == "pending" else _("Open")
        return format_html(
            '<a class="btn btn-sm btn-primary" href="{}" data-testid="review-open">{}</a>',
            reverse("channel-review", args=[record.pk]),
            label,
        )


class ChannelRecordTable(ListTable):
    """What one client sent and what it was answered (the newest first)."""

    received_at = tables.DateTimeColumn(verbose_name=_("Received"), format="Y-m-d H:i:s", attrs=NO_WRAP)
    reference = tables.Column(verbose_name=_("Reference"))
    channel = tables.Column(verbose_name=_("Channel"), attrs=WIDE_ONLY)
    status = tables.Column(verbose_name=_("Answer"))
    reason_code = tables.Column(verbose_name=_("Reason"), attrs=WIDE_ONLY)
    certified_on = tables.DateColumn(verbose_name=_("Seen on"), format="Y-m-d", attrs=NO_WRAP)

    class Meta(ListTable.Meta):
        model = ChannelRecord
        fields = ("received_at", "reference", "channel", "status", "reason_code", "certified_on")
        order_by = ("-received_at",)
        empty_text = _("This client has sent nothing yet.")
        row_attrs = {"data-testid": "record-row"}

    def render_channel(self, value):
        return CHANNEL_LABELS.get(value, value)

    def render_reason_code(self, value):
        return f"{value} · {REASONS[value]}" if value in REASONS else value

    def value_reason_code(self, value):
        return self.render_reason_code(value)
