"""Reminder screens for supervisors: message templates (edit, preview) and the job runs."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import (
    JobRun,
    MessageStage,
    MessageStatus,
    MessageTemplate,
    OutboxMessage,
    SkipReason,
)
from certification.reminders.services import (
    city_templates_refusal,
    may_edit_city_templates,
    message_template_edit_refused,
    message_template_save,
)
from certification.reminders.texts import DEFAULT_TEMPLATES, TEMPLATE_LABELS, segments
from certification.reminders.texts import render as render_text
from portal.errors import Refused
from portal.forms import StyledFormMixin
from portal.roles import Capability
from portal.views_base import capability_required

SAMPLE = {"name": "王建国", "deadline": date(2024, 10, 6), "channel": "counter", "month": date(2024, 11, 1)}


def _preview(text: str) -> str:
    return render_text(text, today=SAMPLE["deadline"] - timedelta(days=7), **SAMPLE)


TEMPLATE_MAX_CHARACTERS = 500


class TemplateForm(StyledFormMixin, forms.Form):
    """The text only. Its rules (placeholders, contacts, wording) are checked once, by
    message_template_save, whose refusal lands on this field."""

    # An SMS of this length is already several messages; the bound also keeps the content check quick.
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=TEMPLATE_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@capability_required(Capability.EDIT_TEMPLATES)
def message_templates(request):
    stored = {template.key: template for template in MessageTemplate.objects.select_related("updated_by")}
    rows = []
    for key, default in DEFAULT_TEMPLATES.items():
        text = stored[key].text if key in stored else default
        preview = _preview(text)
        rows.append(
            {
                "key": key,
                "label": TEMPLATE_LABELS[key],
                "text": text,
                "preview": preview,
                "length": len(preview),
                "segments": segments(preview),
                "edited": stored.get(key),
            }
        )
    return render(
        request,
        "certification/reminders/message_templates.html",
        {"rows": rows, "can_edit": may_edit_city_templates(request.scope)},
    )


@capability_required(Capability.EDIT_TEMPLATES)
def message_template_edit(request, key: str):
    # A district supervisor reads the city-wide texts but may not change them: refused whatever the key,
    # and an attempt to save is on the record.
    if not may_edit_city_templates(request.scope):
        if request.method == "POST":
            message_template_edit_refused(actor=request.user, key=key)
        raise PermissionDenied(city_templates_refusal())
    if key not in DEFAULT_TEMPLATES:
        from django.http import Http404

        raise Http404
    stored = MessageTemplate.objects.filter(key=key).first()
    current = stored.text if stored else DEFAULT_TEMPLATES[key]
    form = TemplateForm(request.POST or None, initial={"text": current})
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            message_template_save(actor=request.user, key=key, text=text)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            return _saved(request, text)
    preview_text = form.data.get("text", current) if form.is_bound else current
    preview = _preview(preview_text)
    context = {
        "form": form,
        "key": key,
        "label": TEMPLATE_LABELS[key],
        "preview": preview,
        "segments": segments(preview),
        "default": DEFAULT_TEMPLATES[key],
    }
    return render(
        request,
        "certification/reminders/message_template_edit.html",
        context,
        status=400 if form.is_bound else 200,
    )


def _saved(request, text: str):
    preview = _preview(text)
    if segments(preview) > 1:
        messages.warning(
            request,
            _("Saved. This text is %(length)s characters: it goes as %(parts)s SMS and costs that many.")
            % {"length": len(preview), "parts": segments(preview)},
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("message-templates")


# What the job counts, as the job page says it (JobSummary's keys are for logs and scripts).
FIXED_COUNT_LABELS = {
    "waiting_for_daytime": gettext_lazy("Waiting for daytime"),
    "would_send": gettext_lazy("Would send (trial run)"),
    "another_dispatcher_running": gettext_lazy("Another sending run was busy"),
    "held_by_rate_cap": gettext_lazy("Held back by the sending limit"),
    "retry_later": gettext_lazy("To retry later"),
    "failed": gettext_lazy("Sending failed"),
    "nothing": gettext_lazy("Nothing to do"),
}


def count_label(key: str) -> str:
    """A job statistic's name for people; an unknown key is shown as it is rather than hidden."""
    stages, reasons = dict(MessageStage.choices), dict(SkipReason.choices)
    if key in stages:
        return _("Planned: %(stage)s") % {"stage": stages[key]}
    if key.startswith("sent_") and key.removeprefix("sent_") in stages:
        return _("Sent: %(stage)s") % {"stage": stages[key.removeprefix("sent_")]}
    if key.startswith("skipped_") and key.removeprefix("skipped_") in reasons:
        return _("Not sent: %(reason)s") % {"reason": reasons[key.removeprefix("skipped_")]}
    return str(FIXED_COUNT_LABELS.get(key, key))


@capability_required(Capability.VIEW_JOBS)
def reminder_jobs(request):
    runs = list(JobRun.objects.order_by("-started_at")[:100])
    for run in runs:
        run.labelled_counts = [(count_label(key), value) for key, value in sorted((run.counts or {}).items())]
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    outbox = request.scope.restrict(OutboxMessage.objects.all()).aggregate(
        queued=Count("pk", filter=Q(status=MessageStatus.QUEUED)),
        sent_today=Count("pk", filter=Q(status=MessageStatus.SENT, sent_at__gte=today_start)),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
    )
    context = {"runs": runs, "outbox": outbox, "plan_stale": plan_is_stale()}
    return render(request, "certification/reminders/reminder_jobs.html", context)


def plan_is_stale() -> bool:
    from django.conf import settings

    latest = (
        JobRun.objects.filter(kind="plan", dry_run=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return latest is None or timezone.now() - latest > timedelta(hours=settings.REMINDER_RUN_STALE_HOURS)
