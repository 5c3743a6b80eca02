"""The registry's dashboard panel: how many pensioners the user's area holds."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.contracts import state_keeper
from portal.roles import Capability


def panels(request) -> list[dict]:
    scope = request.scope
    if not scope.can(Capability.VIEW_REGISTRY) or scope.is_visitor:
        return []
    count, as_of = state_keeper().area_population(scope.area)
    return [
        {
            "template": "portal/includes/_stat_panel.html",
            "label": _("Pensioners in your area"),
            "value": count,
            "url": "pensioner-search",
            "icon": "bi-people",
            "order": 10,
            "note": _("As of %(when)s") % {"when": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")}
            if as_of
            else "",
        }
    ]
