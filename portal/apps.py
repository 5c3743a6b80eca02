from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Register the platform's Celery tasks by name (portal.jobs queues them by name).
        from portal import tasks  # noqa: F401
        from portal.navigation import register_portal_navigation

        register_portal_navigation()
