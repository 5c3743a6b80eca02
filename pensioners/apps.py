from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionersConfig(AppConfig):
    name = "pensioners"
    verbose_name = _("Pensioner registry")

    def ready(self) -> None:
        """The registry's contributions to the platform (portal.contracts)."""
        from pensioners import audit_labels, dashboard, roster_import
        from pensioners.search import find_person_by_number
        from portal import contracts
        from portal.models import ImportKind
        from portal.navigation import NavItem
        from portal.roles import Capability

        contracts.register_dashboard_panels(dashboard.panels)
        contracts.register_person_finder(find_person_by_number)
        contracts.register_audit_labels(audit_labels.LABELS)
        contracts.register_importer(
            contracts.Importer(
                kind=ImportKind.ROSTER,
                run=roster_import.roster_import,
                capability=Capability.IMPORT_ROSTER,
                columns=roster_import.ROSTER_COLUMNS,
                required=roster_import.REQUIRED_COLUMNS,
            )
        )
        contracts.register_navigation(
            order=10, item=NavItem(_("Pensioners"), "pensioner-search", Capability.VIEW_REGISTRY, "bi-search")
        )
        contracts.register_navigation(
            order=10,
            group="imports",
            item=NavItem(_("Roster import"), "roster-import", Capability.IMPORT_ROSTER, "bi-people"),
        )
