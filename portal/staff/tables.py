"""The staff list: one row per account, linked to its page; exports show what the screen shows."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.tables import NO_WRAP, WIDE_ONLY, ListTable

# On a phone the list keeps who, which role, and whether the account works; the rest is on wider screens
# and in the export.
WIDE_NO_WRAP = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}


class StaffTable(ListTable):
    full_name = tables.Column(
        verbose_name=_("Real name"), linkify=("staff-detail", {"pk": tables.A("pk")}), attrs=NO_WRAP
    )
    username = tables.Column(verbose_name=_("Login name"), attrs=WIDE_NO_WRAP)
    role = tables.Column(verbose_name=_("Role"))
    area = tables.Column(verbose_name=_("Area"), accessor="area__name", order_by=("area_id",))
    area_id = tables.Column(verbose_name=_("Area code"), attrs=WIDE_ONLY)
    phone = tables.Column(verbose_name=_("Phone"), attrs=WIDE_NO_WRAP)
    is_active = tables.BooleanColumn(verbose_name=_("Account"), attrs=NO_WRAP)
    last_login = tables.DateTimeColumn(verbose_name=_("Last log-in"), format="Y-m-d H:i", attrs=WIDE_NO_WRAP)

    class Meta(ListTable.Meta):
        model = User
        fields = ("full_name", "username", "role", "area", "area_id", "phone", "is_active", "last_login")
        order_by = ("area_id", "username")
        empty_text = _("No staff match.")

    def render_is_active(self, value):
        return _("Account enabled") if value else _("Account disabled")

    def value_is_active(self, value):
        return str(_("Account enabled") if value else _("Account disabled"))
