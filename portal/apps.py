from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Register the platform's Celery tasks by name (portal.jobs queues them by name).
        from django.contrib.auth import signals as auth_signals

        from portal import tasks  # noqa: F401
        from portal.audit import audit_logged_in, audit_logged_out, audit_login_failed
        from portal.navigation import register_portal_navigation
        from portal.tables import remember_render_signatures

        register_portal_navigation()
        remember_render_signatures()
        _register_staff_administration()
        # Logins, failed logins and logouts are on the record too.
        auth_signals.user_logged_in.connect(audit_logged_in, dispatch_uid="audit-logged-in")
        auth_signals.user_logged_out.connect(audit_logged_out, dispatch_uid="audit-logged-out")
        auth_signals.user_login_failed.connect(audit_login_failed, dispatch_uid="audit-login-failed")


def _register_staff_administration() -> None:
    """Staff accounts (portal/staff/): their import, their menu items, and the doors' audit events."""
    from axes.signals import user_locked_out
    from django.contrib.auth import signals as auth_signals

    from portal import contracts
    from portal.models import ImportKind
    from portal.navigation import NavItem
    from portal.roles import Capability
    from portal.staff import staff_import
    from portal.staff.audit import audit_locked_out
    from portal.staff.middleware import stamp_login

    contracts.register_importer(
        contracts.Importer(
            kind=ImportKind.STAFF,
            run=staff_import.staff_import,
            capability=Capability.IMPORT_STAFF,
            columns=staff_import.STAFF_COLUMNS,
            required=staff_import.REQUIRED_COLUMNS,
        )
    )
    contracts.register_navigation(
        order=80,
        group="supervision",
        item=NavItem(_("Staff accounts"), "staff-list", Capability.MANAGE_STAFF, "bi-person-badge"),
    )
    contracts.register_navigation(
        order=85,
        group="supervision",
        item=NavItem(_("Login locks"), "login-locks", Capability.MANAGE_LOCKS, "bi-shield-lock"),
    )
    contracts.register_navigation(
        order=30,
        group="imports",
        item=NavItem(_("Staff import"), "staff-import", Capability.IMPORT_STAFF, "bi-person-plus"),
    )
    auth_signals.user_logged_in.connect(stamp_login, dispatch_uid="staff-session-stamp-login")
    user_locked_out.connect(audit_locked_out, dispatch_uid="audit-locked-out")
