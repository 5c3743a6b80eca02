"""A queue's bucket counts name the district the rows are in, so that the count reads the district's index
(pensioners' state_district_deadline) instead of the whole district's range: naming it must never change
a count, for any role or drill-down (the city, a district, a street, a community)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from certification.queues.queries import in_district, overdue_bucket_counts
from certification.queues.tests.test_queue_buckets_name_what_they_hold import TODAY, _today  # noqa: F401
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner


@pytest.fixture
def overdue_everywhere(areas):
    """In each of four communities of two districts: one person per aging bucket, and one current."""
    for community in ("500103003001", "500103003002", "500103001001", "500105001001"):
        for days_overdue in (5, 40, 200):
            make_pensioner(community=community, certified_on=TODAY - timedelta(days=365 + days_overdue))
        make_pensioner(community=community, certified_on=TODAY - timedelta(days=10))


def counts(response) -> dict[str, int]:
    return {code: count for code, _label, count in response.context["buckets"]}


@pytest.mark.parametrize(
    ("who", "area", "each"),
    [
        ("admin", "", 4),
        ("admin", "500103", 3),
        ("admin", "500105", 1),
        ("supervisor", "", 3),
        ("supervisor", "500103003", 2),
        ("supervisor", "500103003002", 1),
        ("street", "", 2),
        ("community", "", 1),
    ],
)
def test_the_counts_are_the_people_of_the_area_shown(client_for, staff, overdue_everywhere, who, area, each):
    response = client_for(staff[who]).get(reverse("queue-overdue"), {"area": area} if area else {})
    assert counts(response) == {"1-30": each, "31-90": each, "90+": each}
    assert response.context["table"].paginator.count == 3 * each


def test_naming_the_district_changes_nothing_but_the_index(overdue_everywhere):
    street = CertificationState.objects.filter(area_code__startswith="500103003")
    assert overdue_bucket_counts(street, TODAY, district="500103") == overdue_bucket_counts(street, TODAY)
    assert in_district(street, "").count() == street.count() == 8
    assert in_district(street, "50").count() == 8  # the city's prefix names no district
