"""How certification's audit events read in the audit log (registered in the AppConfig.ready()).

Action codes, the keys of before/after and the codes stored in them, each with its label; and which
records belong to a person, so the audit log can show everything about one pensioner.
"""

from django.utils.translation import gettext_lazy as _

from certification.models import (
    Certification,
    Channel,
    ContactAttempt,
    ContactKind,
    ContactOutcome,
    DeathCase,
    DecisionKind,
    DecisionStatus,
    HomeVisit,
    Outcome,
    PaymentDecision,
    VisitOutcome,
    VisitReason,
    VisitSource,
    VisitStatus,
)
from certification.reminders.texts import TEMPLATE_LABELS


def _team_name(value) -> str:
    from certification.models import VisitTeam

    team = VisitTeam.objects.filter(pk=value).only("name").first() if str(value).isdigit() else None
    return team.name if team else str(value)


def _staff_name(value) -> str:
    from portal.audit import staff_label
    from portal.models import User

    user = User.objects.filter(pk=value).first() if str(value).isdigit() else None
    return staff_label(user) if user else str(value)


def _people(value) -> str:
    return str(_("%(count)s people")) % {"count": len(value)} if isinstance(value, list) else str(value)


def _drop_counts(value) -> str:
    from certification.decisions.rules import DROP_LABELS

    if not isinstance(value, dict):
        return str(value)
    return "; ".join(f"{DROP_LABELS.get(code, code)}: {count}" for code, count in value.items()) or "0"


REPORT_TABLES = {
    "coverage": _("By area"),
    "channels": _("Channel mix"),
    "monthly": _("The last 24 months"),
    "staff": _("Certifications recorded by staff"),
    "visits": _("Home visits"),
    "contacts": _("Contact attempts"),
    "payments": _("Payment decisions by area and month"),
}


def related_records(pensioner) -> list[tuple[str, object]]:
    """(object type, ids) of the records about one person that audit events point at."""
    by_person = {"pensioner_id": pensioner.pk}
    return [
        (
            "certification.certification",
            Certification.objects.filter(**by_person).values_list("pk", flat=True),
        ),
        (
            "certification.contactattempt",
            ContactAttempt.objects.filter(**by_person).values_list("pk", flat=True),
        ),
        ("certification.deathcase", DeathCase.objects.filter(**by_person).values_list("pk", flat=True)),
        ("certification.homevisit", HomeVisit.objects.filter(**by_person).values_list("pk", flat=True)),
        (
            "certification.paymentdecision",
            PaymentDecision.objects.filter(**by_person).values_list("pk", flat=True),
        ),
    ]


LABELS = {
    "actions": {
        "certification.recorded": _("Certification recorded"),
        "certification.voided": _("Certification voided"),
        "contact.recorded": _("Contact attempt recorded"),
        "queue.assigned": _("People assigned"),
        "queue.exported": _("Queue exported"),
        "home_visit.requested": _("Home visit requested"),
        "home_visit.scheduled": _("Home visit scheduled"),
        "home_visit.assigned": _("Home visit given to a team"),
        "visit_team.created": _("Home-visit team created"),
        "visit_team.renamed": _("Home-visit team renamed"),
        "visit_team.members_changed": _("Home-visit team members changed"),
        "visit_team.retired": _("Home-visit team retired"),
        "home_visit.cancelled": _("Home visit cancelled"),
        "home_visit.visited": _("Home visit outcome recorded"),
        "home_visits.exported": _("Home-visit list exported"),
        "standing_list.exported": _("Home-service list exported"),
        "visit_sheet.viewed": _("Visit sheet printed or viewed"),
        "death_case.opened": _("Death report opened"),
        "death_case.confirmed": _("Death confirmed"),
        "death_case.dismissed": _("Death report dismissed"),
        "death_cases.exported": _("Death reports exported"),
        "payment.resumed": _("Payment resumed"),
        "payment.resumption_proposed": _("Resumption proposed (waiting for approval)"),
        "batch.proposed": _("Payment decision batch proposed"),
        "batch.approved": _("Payment decision batch approved"),
        "batch.rejected": _("Payment decision batch rejected"),
        "suspension.excluded": _("Kept out of suspension"),
        "suspension_candidates.exported": _("Suspension candidates exported"),
        "decision_batches.exported": _("Decision batches exported"),
        "decision_batch.exported": _("Decision batch exported"),
        "resumptions.exported": _("Resumptions exported"),
        "payment_file.downloaded": _("Payment file downloaded"),
        "extension.proposed": _("Deadline extension proposed"),
        "extension.approved": _("Deadline extension approved"),
        "extension.rejected": _("Deadline extension rejected"),
        "extension.revoked": _("Deadline extension revoked"),
        "deadline_extensions.exported": _("Deadline extensions exported"),
        "api.certifications_reported": _("Certifications reported through the channel API"),
        "api.status_read": _("Status read through the channel API"),
        "api.call_refused": _("Channel API call refused"),
        "channel_client.created": _("Channel API client registered"),
        "channel_client.updated": _("Channel API client changed"),
        "channel_client.token_rotated": _("Channel API token rotated"),
        "channel_client.revoked": _("Channel API token revoked"),
        "channel_clients.exported": _("Channel API clients exported"),
        "channel_review.accepted": _("Certification from abroad accepted on review"),
        "channel_review.rejected": _("Certification from abroad rejected on review"),
        "abroad_reviews.exported": _("Reviews from abroad exported"),
        "message_template.changed": _("SMS template changed"),
        "message_template.edit_refused": _("SMS template change refused: city-wide text"),
        "data_source.created": _("Data source added"),
        "data_source.changed": _("Data source changed"),
        "comparison.imported": _("Data comparison imported"),
        "reports.exported": _("Report exported"),
    },
    "fields": {
        "latest_certified_on": _("Latest certification"),
        "next_due_on": _("Deadline"),
        "channel": _("Channel"),
        "certified_on": _("Date of certification"),
        "outcome": _("Outcome"),
        "receipt": _("Receipt number"),
        "kind": _("How"),
        "snooze_until": _("Hide from the queue until"),
        "phone_known_wrong": _("Phone known wrong"),
        "assignee": _("Assigned to"),
        "pensioners": _("People"),
        "via": _("Requested via"),
        "reason": _("Reason for the home visit"),
        "team": _("Team"),
        "members": _("Members"),
        "retired": _("Retired"),
        "street": _("Street"),
        "name": _("Name"),
        "scheduled_on": _("Visit date"),
        "date": _("Visit date"),
        "visits": _("Visits"),
        "certification": _("Certification"),
        "died_on": _("Date of death"),
        "stops_from": _("Payment stops from"),
        "overpaid_months": _("Months overpaid"),
        "from": _("Payment resumes from"),
        "back_pay_months": _("Months of back pay"),
        "text": _("Text"),
        "key": _("Message"),
        "table": _("Table"),
        "since": _("From"),
        "until": _("To"),
        "origin": _("Origin"),
        "source": _("Data source"),
        "reference": _("Reference"),
        "death_date": _("Date of death"),
        "note": _("Note"),
        "contact_attempt": _("Contact attempt"),
        "visit": _("Home visit"),
        "contacted_at": _("When was the contact made"),
        "moved_to": _("Moved to (where)"),
        "snooze_reason": _("Why hide"),
        "visit_reason": _("Reason for the home visit"),
        "certified": _("certified"),
        "death_cases": _("death cases"),
        "evidence_only": _("evidence only"),
        "ignored": _("ignored"),
        "certification.homevisit:status": _("Visit status"),
        "certification.homevisit:outcome": _("Outcome"),
        "certification.deathcase:status": _("Payment status"),
        "approved": _("Approved"),
        "dropped": _("Dropped at approval"),
        "people": _("People"),
        "monthly_amount": _("Monthly amount (yuan)"),
        "back_pay_amount": _("Back pay (yuan)"),
        "deadline": _("Deadline"),
        "days": _("Extend by (days)"),
        "restored": _("Deadlines restored"),
        "certification.decisionbatch:status": _("Status"),
        "certification.decisionbatch:kind": _("Decision"),
        "certification.deadlineextension:status": _("Status"),
        "certification.deadlineextension:from": _("Deadlines from"),
        "certification.deadlineextension:until": _("Deadlines until"),
    },
    "values": {
        "channel": dict(Channel.choices),
        "outcome": dict(Outcome.choices),
        "kind": dict(ContactKind.choices),
        "certification.contactattempt:outcome": dict(ContactOutcome.choices),
        "certification.homevisit:outcome": dict(VisitOutcome.choices),
        "certification.homevisit:status": dict(VisitStatus.choices),
        "via": dict(VisitSource.choices),
        "reason": dict(VisitReason.choices),
        "key": {key: label for key, label in TEMPLATE_LABELS.items()},
        "table": REPORT_TABLES,
        "team": _team_name,
        "assignee": _staff_name,
        "pensioners": _people,
        "certification.decisionbatch:status": dict(DecisionStatus.choices),
        "certification.decisionbatch:kind": dict(DecisionKind.choices),
        "certification.deadlineextension:status": dict(DecisionStatus.choices),
        "dropped": _drop_counts,
    },
    "related": related_records,
}
