from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        """certification's contributions to the platform and the registry (portal.contracts)."""
        from certification import audit_labels, card, dashboard, tasks  # noqa: F401 (tasks: registered by name)
        from certification.comparison import importer
        from certification.recording.signals import certification_counted
        from certification.state import CertificationStateKeeper
        from certification.visits.queries import visitor_reach
        from certification.visits.services import close_visits_on_certification
        from pensioners.contracts import register_state_keeper, register_visitor_reach
        from portal import contracts
        from portal.models import ImportKind
        from portal.navigation import NavItem
        from portal.roles import Capability

        register_state_keeper(CertificationStateKeeper())
        register_visitor_reach(visitor_reach)
        from certification.visits.queries import team_choices, team_of
        from certification.visits.services import visit_team_join

        contracts.register_team_directory(
            contracts.TeamDirectory(choices=team_choices, team_of=team_of, join=visit_team_join)
        )
        certification_counted.connect(
            close_visits_on_certification, dispatch_uid="visits-close-on-certification"
        )
        contracts.register_dashboard_panels(dashboard.panels)
        contracts.register_card_extras(card.card_extras)
        contracts.register_audit_labels(audit_labels.LABELS)
        contracts.register_importer(
            contracts.Importer(
                kind=ImportKind.COMPARISON,
                run=importer.comparison_import,
                capability=Capability.IMPORT_COMPARISON,
                columns=importer.COMPARISON_COLUMNS,
                required=importer.REQUIRED_COLUMNS,
            )
        )
        menu = [
            # (order, group, label, url name, capability, icon)
            (10, "queues", _("Overdue"), "queue-overdue", Capability.WORK_QUEUES, "bi-alarm"),
            (20, "queues", _("Due soon"), "queue-due-soon", Capability.WORK_QUEUES, "bi-hourglass-split"),
            (30, "queues", _("My queue"), "queue-mine", Capability.WORK_QUEUES, "bi-person-lines-fill"),
            (30, None, _("Counter"), "counter-desk", Capability.RECORD_COUNTER, "bi-person-vcard"),
            (10, "visits", _("My visits"), "my-visits", Capability.DO_VISITS, "bi-signpost-split"),
            (20, "visits", _("Plan visits"), "home-visits", Capability.PLAN_VISITS, "bi-calendar-week"),
            (30, "visits", _("Visit sheets"), "visit-sheet", Capability.DO_VISITS, "bi-printer"),
            (40, "visits", _("Standing list (台账)"), "home-service-list", Capability.PLAN_VISITS, "bi-card-list"),
            (50, "visits", _("Visit teams"), "visit-teams", Capability.MANAGE_TEAMS, "bi-people"),
            (50, None, _("Reports"), "reports", Capability.VIEW_REPORTS, "bi-bar-chart-line"),
            (10, "supervision", _("Death reports"), "death-cases", Capability.DECIDE, "bi-exclamation-octagon"),
            (12, "supervision", _("Suspension candidates"), "suspension-candidates", Capability.PROPOSE_PAYMENT,
             "bi-pause-circle"),
            (14, "supervision", _("Payment decisions"), "decision-batches", Capability.PROPOSE_PAYMENT,
             "bi-cash-coin"),
            (16, "supervision", _("Resumptions"), "resumptions", Capability.PROPOSE_PAYMENT, "bi-play-circle"),
            (18, "supervision", _("Deadline extensions"), "deadline-extensions", Capability.DECIDE,
             "bi-calendar-plus"),
            (20, "supervision", _("Reminder job"), "reminder-jobs", Capability.VIEW_JOBS, "bi-send-check"),
            (30, "supervision", _("Message templates"), "message-templates", Capability.EDIT_TEMPLATES,
             "bi-chat-left-text"),
            (40, "queues", _("Reviews from abroad"), "channel-reviews", Capability.REVIEW_ABROAD, "bi-globe-asia-australia"),
            (40, "supervision", _("Channel API clients"), "channel-clients", Capability.MANAGE_CHANNEL_CLIENTS,
             "bi-plug"),
            (20, "imports", _("Data comparison import"), "comparison-import", Capability.IMPORT_COMPARISON,
             "bi-database-check"),
            (30, "imports", _("Data sources"), "data-sources", Capability.IMPORT_COMPARISON, "bi-diagram-3"),
        ]  # fmt: skip
        for order, group, label, url_name, capability, icon in menu:
            contracts.register_navigation(
                order=order, group=group, item=NavItem(label, url_name, capability, icon)
            )
