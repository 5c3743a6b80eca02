"""The registry's dashboard panel: how many pensioners the user's area holds."""

from django.utils.translation import gettext_lazy as _

from pensioners.models import CertificationState
from portal.roles import Capability


def panels(request) -> list[dict]:
    scope = request.scope
    if not scope.can(Capability.VIEW_REGISTRY) or scope.is_visitor:
        return []
    # The narrow state table holds one row per pensioner: counting it avoids the wide registry table.
    count = scope.restrict(CertificationState.objects.all()).count()
    return [
        {
            "template": "portal/includes/_stat_panel.html",
            "label": _("Pensioners in your area"),
            "value": count,
            "url": "pensioner-search",
            "icon": "bi-people",
            "order": 10,
        }
    ]
