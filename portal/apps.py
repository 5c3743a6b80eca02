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

        register_portal_navigation()
        # Logins, failed logins and logouts are on the record too.
        auth_signals.user_logged_in.connect(audit_logged_in, dispatch_uid="audit-logged-in")
        auth_signals.user_logged_out.connect(audit_logged_out, dispatch_uid="audit-logged-out")
        auth_signals.user_login_failed.connect(audit_login_failed, dispatch_uid="audit-login-failed")
