"""Consular paper forms: the proxy rule applied to a person's history."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from certification.models import Certification, Channel
from certification.recording.rules import ConsularForm, proxy_streak, proxy_warning_due


def previous_consular_forms(pensioner) -> list[ConsularForm]:
    rows = (
        Certification.objects.filter(pensioner=pensioner, channel=Channel.CONSULAR_PAPER)
        .effective()
        .values_list("certified_on", "evidence")
    )
    return [ConsularForm(form_date=day, proxy=bool(evidence.get("proxy"))) for day, evidence in rows]


def proxy_warning_for(pensioner, form_date: date) -> bool:
    """Whether a proxy form dated `form_date` makes the limit of consecutive proxy years."""
    return proxy_warning_due(
        previous_consular_forms(pensioner),
        ConsularForm(form_date=form_date, proxy=True),
        limit=settings.CONSULAR_PROXY_YEARS_LIMIT,
    )


def proxy_years_so_far(pensioner) -> int:
    return proxy_streak(previous_consular_forms(pensioner))
