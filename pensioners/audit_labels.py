"""How the registry's audit events read in the audit log (registered in the AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from pensioners.models import PaymentStatus, Scheme

LABELS = {
    "actions": {
        "pensioner.created": _("Pensioner added"),
        "pensioner.changed": _("Pensioner details changed"),
        "pensioner.benefits_changed": _("Benefit lines changed"),
        "pensioner.viewed": _("Personal data viewed"),
        "pensioners.listed": _("List of people viewed"),
        "pensioner.revealed": _("Full ID number shown"),
        "pensioner.counter_lookup": _("Looked up by ID number"),
        "pensioner.lookup_missed": _("ID number looked up: nobody registered"),
        "pensioner.lookup_refused": _("ID number lookup refused: too many"),
        "pensioners.exported": _("Pensioner list exported"),
        "roster.imported": _("Roster imported"),
    },
    "fields": {
        "community": _("Community"),
        "benefit_lines": _("Benefit lines"),
        "lines": _("Benefit lines"),
        "first_benefit_date": _("First benefit date"),
        "monthly_amount": _("Monthly amount"),
        "scheme": _("Scheme"),
        "status": _("Payment status"),
        "created": _("created"),
        "updated": _("updated"),
        "unchanged": _("unchanged"),
        "rejected": _("rejected"),
    },
    "values": {
        "status": dict(PaymentStatus.choices),
        "scheme": dict(Scheme.choices),
        "benefit_lines": dict(Scheme.choices),
    },
}
