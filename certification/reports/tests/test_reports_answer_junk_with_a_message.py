"""Junk in the report's address (impossible dates, years past 9999, letters) is answered, never a 500."""

import pytest
from django.urls import reverse

from pensioners.tests.factories import make_pensioner


@pytest.fixture
def someone(areas):
    return make_pensioner(name="王建国")


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-11-01", "until": "9999-12-31"},
        {"since": "0001-01-01", "until": "2026-11-30"},
        {"since": "2026-02-30", "until": "2026-03-01"},
        {"since": "9999-99-99", "until": "abc"},
        {"since": "2026-11-30", "until": "2026-11-01"},
        {"since": "", "until": ""},
        {"since": "2026-11-01"},
        {"since": "1" * 400, "until": "2026-11-30"},
    ],
)
def test_a_period_that_cannot_be_used_is_told_and_answered_400(someone, client_for, staff, query):
    response = client_for(staff["supervisor"]).get(reverse("reports"), query)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="period-errors"' in body
    assert 'data-testid="coverage-table"' in body  # the rest of the report is still there


def test_the_message_names_the_dates_that_can_be_chosen(someone, client_for, staff):
    body = (
        client_for(staff["supervisor"])
        .get(reverse("reports"), {"since": "2026-11-01", "until": "9999-12-31"})
        .content.decode()
    )
    assert "请选择 2000-01-01 至" in body


@pytest.mark.parametrize(
    "query",
    [
        {"area": "abc"},
        {"area": "5001\x00"},
        {"area": "9" * 300},
        {"table": "nonsense", "_export": "csv"},
        {"_export": "pdf"},
        {"since": "2026-11-01", "until": "9999-12-31", "_export": "xlsx", "table": "staff"},
    ],
)
def test_other_junk_is_ignored_without_an_error(someone, client_for, staff, query):
    response = client_for(staff["supervisor"]).get(reverse("reports"), query)
    assert response.status_code in (200, 400)


def test_a_good_period_still_answers_200(someone, client_for, staff):
    response = client_for(staff["supervisor"]).get(
        reverse("reports"), {"since": "2026-01-01", "until": "2026-01-31"}
    )
    assert response.status_code == 200
    assert 'data-testid="period-errors"' not in response.content.decode()
