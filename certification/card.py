"""What the certification app adds to the person card: history, actions, and the latest channel."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.decisions.rules import months_from
from certification.models import (
    Certification,
    Channel,
    ChannelRecord,
    DeathCaseStatus,
    DecisionKind,
    DecisionStatus,
    ExtendedDeadline,
    PaymentDecision,
    VisitReason,
)
from certification.recording.rules import (
    CONSULAR_BODIES,
    COUNTER_METHODS,
    EVIDENCE_LABELS,
    HELPER_RELATIONSHIPS,
    ID_DOCUMENTS,
    OTHER_APPS,
)
from certification.reminders.services import next_reminder_for
from pensioners.models import PaymentStatus
from portal.roles import Capability

_CHOICE_LABELS = {
    "id_document": dict(ID_DOCUMENTS),
    "method": dict(COUNTER_METHODS),
    "reason": dict(VisitReason.choices),
    "body_kind": dict(CONSULAR_BODIES),
    "helper_relationship": dict(HELPER_RELATIONSHIPS),
    "app": dict(OTHER_APPS),
}
# Which evidence to show in the history, per channel, in this order.
_SHOWN = {
    Channel.COUNTER: ("office_name", "id_document", "method"),
    Channel.HOME_VISIT: ("visitors", "address_visited", "signer", "reason"),
    Channel.CONSULAR_PAPER: (
        "form_serial",
        "issuing_body",
        "country",
        "received_on",
        "proxy",
        "rejection_reason",
    ),
    Channel.DATA_MATCH: ("source_name", "source_record_date", "reference"),
    Channel.APP_SELF: ("reference",),
    Channel.APP_ASSISTED: ("helper_relationship", "reference"),
    Channel.OTHER_APP: ("app", "reference"),
    Channel.ABROAD_APP: ("reference", "review_decision", "reviewer"),
}
_EXTRA_LABELS = {"office_name": _("office"), "source_name": _("source department")}


def evidence_summary(certification: Certification) -> list[tuple[str, str]]:
    facts = []
    for key in _SHOWN.get(certification.channel, ()):
        value = certification.evidence.get(key)
        if value in (None, "", []):
            continue
        if key == "visitors":
            value = "、".join(visitor["name"] for visitor in value)
        elif key == "proxy":
            value = _("by proxy") if value else _("in person")
        elif key in _CHOICE_LABELS:
            value = _CHOICE_LABELS[key].get(value, value)
        facts.append((str(_EXTRA_LABELS.get(key) or EVIDENCE_LABELS.get(key, key)), str(value)))
    return facts


def confirmed_death(pensioner, scope) -> dict | None:
    """What the card says about a confirmed death: date, the month payment stops, what to recover."""
    if pensioner.death_date is None and pensioner.state.status != PaymentStatus.TERMINATED:
        return None
    case = pensioner.death_cases.filter(status=DeathCaseStatus.CONFIRMED).order_by("-decided_at").first()
    decision = (
        PaymentDecision.objects.filter(pensioner=pensioner, kind=DecisionKind.TERMINATE)
        .order_by("-decided_at", "-id")
        .first()
    )
    return {
        "died_on": pensioner.death_date or (case.reported_death_date if case else None),
        "case": case,
        "case_url": reverse("death-case", args=[case.pk]) if case and scope.can(Capability.DECIDE) else "",
        "decision": decision,
    }


def payment_decisions(pensioner, scope) -> dict:
    """The card's money section: every payment decision with its batch, the back-pay months of each
    resumption, and the extension that moved the current deadline, if one did."""
    decisions = list(
        PaymentDecision.objects.filter(pensioner=pensioner)
        .exclude(kind=DecisionKind.TERMINATE)
        .select_related("batch", "resumes", "decided_by")
        .order_by("-decided_at", "-id")[:20]
    )
    for decision in decisions:
        decision.months = []
        if decision.kind == DecisionKind.RESUME and decision.resumes_id and decision.back_pay_months:
            decision.months = [
                month.strftime("%Y-%m")
                for month in months_from(
                    decision.resumes.effective_month, until_before=decision.effective_month
                )
            ]
        decision.batch_url = (
            reverse("decision-batch", args=[decision.batch_id])
            if decision.batch_id and scope.can(Capability.PROPOSE_PAYMENT)
            else ""
        )
    extended = (
        ExtendedDeadline.objects.filter(
            pensioner=pensioner,
            new_due_on=pensioner.state.next_due_on,
            extension__status=DecisionStatus.APPROVED,
            extension__revoked_at__isnull=True,
        )
        .select_related("extension")
        .order_by("-extension_id")
        .first()
    )
    return {
        "template": "certification/decisions/_payment_decisions.html",
        "decisions": decisions,
        "extended": extended,
        "extension_url": reverse("deadline-extension", args=[extended.extension_id])
        if extended and scope.can(Capability.DECIDE)
        else "",
    }


def card_extras(request, pensioner) -> dict:
    scope = request.scope
    certifications = list(
        Certification.objects.filter(pensioner=pensioner)
        .select_related("recorded_by", "acting_office", "voided_by")
        .prefetch_related("files")
        .order_by("-certified_on", "-recorded_at")
    )
    for certification in certifications:
        certification.facts = evidence_summary(certification)
    # (capability, label, url name, icon, button style, shown only for people abroad)
    possible = [
        (
            Capability.RECORD_COUNTER,
            _("Counter certification"),
            "record-counter",
            "bi-person-check",
            "btn-primary",
            False,
        ),
        (
            Capability.RECORD_HOME_VISIT,
            _("Home-visit certification"),
            "record-home-visit",
            "bi-house-check",
            "btn-outline-primary",
            False,
        ),
        (
            Capability.RECORD_CONSULAR,
            _("Consular paper form"),
            "record-consular",
            "bi-envelope-paper",
            "btn-outline-primary",
            True,
        ),
        (
            Capability.WORK_QUEUES,
            _("Log contact"),
            "contact-attempt",
            "bi-telephone",
            "btn-outline-secondary",
            False,
        ),
        (
            Capability.PLAN_VISITS,
            _("Request a home visit"),
            "home-visit-request",
            "bi-house-add",
            "btn-outline-secondary",
            False,
        ),
        (
            Capability.PROPOSE_PAYMENT,
            _("Stop payment (imprisonment)"),
            "payment-stop",
            "bi-sign-stop",
            "btn-outline-danger",
            False,
        ),
    ]
    death = confirmed_death(pensioner, scope)
    actions = [
        {"label": label, "url": reverse(url_name, args=[pensioner.pk]), "icon": icon, "css": css}
        for capability, label, url_name, icon, css, abroad_only in possible
        if scope.can(capability) and (pensioner.abroad_country or not abroad_only)
    ]
    if death is not None:
        # Nobody certifies, phones or visits a person whose death is confirmed: the case is what is left.
        actions = []
    latest_channel = pensioner.state.latest_channel
    attempts = pensioner.contact_attempts.select_related("made_by")[:50]
    visits = pensioner.home_visits.select_related("team").order_by("-requested_at")[:20]
    open_cases = pensioner.death_cases.filter(status="open")
    evidence = pensioner.supporting_evidence.select_related("source")[:20]
    outbox = pensioner.messages.prefetch_related("send_attempts").order_by("-planned_at")[:30]
    next_reminder = next_reminder_for(pensioner, pensioner.state, timezone.localdate())
    return {
        "actions": actions,
        "death": death,
        # Shown above everything else: on a phone the right-hand column comes last.
        "top_sections": (
            [{"template": "certification/decisions/_death_confirmed.html", "death": death}] if death else []
        ),
        "latest_channel_label": Channel(latest_channel).label if latest_channel in Channel.values else "",
        "sections": [
            {"template": "certification/decisions/_open_death_case.html", "cases": open_cases},
            {
                "template": "certification/api/_waiting_review.html",
                "records": ChannelRecord.objects.waiting_for_review()
                .filter(pensioner=pensioner)
                .select_related("client"),
                "can_review": scope.can(Capability.REVIEW_ABROAD),
            },
            payment_decisions(pensioner, scope),
            {
                "template": "certification/recording/_history.html",
                "certifications": certifications,
                "can_void": scope.can(Capability.VOID_CERTIFICATION),
            },
            {"template": "certification/comparison/_supporting_evidence.html", "evidence": evidence},
            {"template": "certification/queues/_contact_attempts.html", "attempts": attempts},
            {"template": "certification/visits/_home_visits.html", "visits": visits},
            {"template": "certification/reminders/_messages.html", "messages": outbox, "next": next_reminder},
        ],
    }
