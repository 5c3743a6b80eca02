"""A rule checked by both the contact form and the contact service is one function (queues.rules.
contact_problems): the page shows each problem beside its field, and the service refuses with the same."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from certification.queues.forms import ContactAttemptForm
from certification.queues.rules import contact_problems
from certification.queues.services import contact_attempt_record
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
CASES = {
    "moved away, nowhere said": {"outcome": "moved_away"},
    "home visit, no reason": {"outcome": "needs_home_visit"},
    "hidden without a reason": {"outcome": "will_certify", "snooze_until": date(2026, 12, 10)},
    "hidden until yesterday": {"outcome": "will_certify", "snooze_until": date(2026, 11, 26), "snooze_reason": "住院"},
    "died tomorrow": {"outcome": "reported_dead", "died_on": date(2026, 11, 28)},
    "died after the call": {"outcome": "reported_dead", "died_on": date(2026, 11, 27), "contacted_at": datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)},
    "call in the future": {"outcome": "refused", "contacted_at": datetime(2026, 11, 27, 11, 0, tzinfo=SHANGHAI)},
}  # fmt: skip


def problems_of(case: dict) -> list[tuple[str, str]]:
    contacted_at = case.get("contacted_at", NOW)
    return contact_problems(
        outcome=case["outcome"],
        contacted_at=contacted_at,
        now=NOW,
        today=NOW.date(),
        contacted_on=contacted_at.astimezone(SHANGHAI).date(),
        moved_to=case.get("moved_to", ""),
        visit_reason=case.get("visit_reason", ""),
        died_on=case.get("died_on"),
        snooze_until=case.get("snooze_until"),
        snooze_reason=case.get("snooze_reason", ""),
    )


@pytest.mark.parametrize("name", CASES)
def test_each_case_breaks_a_rule(name):
    assert problems_of(CASES[name])


@pytest.mark.parametrize("name", CASES)
def test_the_form_and_the_service_say_the_same(name, areas, staff):
    case = CASES[name]
    expected = problems_of(case)
    person = make_pensioner(certified_on=date(2025, 6, 1))
    contacted_at = case.get("contacted_at", NOW)
    data = {
        "kind": "phone_call",
        "outcome": case["outcome"],
        "contacted_at": contacted_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
        **{key: value.isoformat() if isinstance(value, date) else value
           for key, value in case.items() if key not in ("outcome", "contacted_at")},
    }  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        form = ContactAttemptForm(data)
        assert not form.is_valid()
        shown = {(field, str(message)) for field, messages in form.errors.items() for message in messages}
        assert {(field, str(message)) for field, message in expected} <= shown
        with pytest.raises(Refused) as refusal:
            contact_attempt_record(
                pensioner=person,
                actor=staff["street"],
                kind="phone_call",
                outcome=case["outcome"],
                contacted_at=contacted_at,
                **{key: value for key, value in case.items() if key not in ("outcome", "contacted_at")},
            )
    assert refusal.value.problems == [str(message) for _field, message in expected]
