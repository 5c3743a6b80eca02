"""?per_page= is capped on every list (issue 11, item 21): whole lists leave only through the audited export.

Every list view is found by walking the URL patterns; a new django-tables2 list that skips the capped
pagination (AuditedExportMixin) fails here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tables2.views import SingleTableMixin

from pensioners.tests.factories import make_pensioner
from portal.views_base import AuditedExportMixin

ROLES = ("admin", "supervisor", "street", "community")


def _patterns(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


TABLE_VIEWS = {
    pattern.name: pattern.callback.view_class
    for pattern in _patterns()
    if issubclass(getattr(pattern.callback, "view_class", object), SingleTableMixin)
}


def test_every_list_view_uses_the_capped_pagination():
    assert TABLE_VIEWS
    uncapped = sorted(name for name, view in TABLE_VIEWS.items() if not issubclass(view, AuditedExportMixin))
    assert not uncapped, f"lists that let ?per_page= through: {uncapped}"


def _a_batch(staff) -> dict:
    from datetime import date

    from certification.decisions.services import stop_propose
    from pensioners.tests.factories import make_pensioner

    person = make_pensioner(name="服刑人")
    batch = stop_propose(
        actor=staff["street"], pensioner=person, reference="(2026)渝0103刑初1号", court_date=date(2026, 1, 5)
    )
    return {"pk": batch.pk}


# Lists of one record (a batch's people): how to make a record in the testers' area.
RECORD_LISTS = {"decision-batch": _a_batch}


@pytest.mark.parametrize("name", sorted(TABLE_VIEWS))
def test_a_huge_or_junk_page_size_falls_back_to_the_default(client, staff, settings, name):
    settings.TABLE_PER_PAGE_MAX = 100
    url = reverse(name, kwargs=RECORD_LISTS[name](staff) if name in RECORD_LISTS else None)
    for role in ROLES:
        client.force_login(staff[role])
        default = client.get(url)
        if default.status_code != 200:
            continue
        default_size = default.context["table"].paginator.per_page
        for junk in ("1000000", "101", "0", "-5", "abc", "1.5", "99999999999999999999", ""):
            response = client.get(url, {"per_page": junk})
            assert response.status_code == 200, (name, role, junk)
            assert response.context["table"].paginator.per_page == default_size, (name, role, junk)
        for allowed in ("10", "100"):
            response = client.get(url, {"per_page": allowed})
            assert response.context["table"].paginator.per_page == int(allowed), (name, role, allowed)
        return
    pytest.fail(f"no role could open {name}")


def test_per_page_a_million_shows_one_page_of_the_registry(client_for, staff, settings):
    settings.TABLE_PER_PAGE_MAX = 20
    for number in range(30):
        make_pensioner(name=f"测试{number:02d}")
    client = client_for(staff["street"])
    response = client.get(reverse("pensioner-search"), {"per_page": "1000000"})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 25  # the page's default, not 30
    response = client.get(reverse("pensioner-search"), {"per_page": "20"})
    assert len(response.context["table"].page.object_list) == 20
    response = client.get(reverse("pensioner-search"), {"per_page": "21"})
    assert len(response.context["table"].page.object_list) == 25
