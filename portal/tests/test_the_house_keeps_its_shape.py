"""The reshape's rules, kept by tests: one room per capability, apps meeting through registered contracts,
one refusal type, Celery tasks under fixed names. (The layering itself is `lint-imports` in `make test`.)"""

import re
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from portal import contracts
from portal.models import ImportKind
from portal.navigation import navigation

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = ("recording", "queues", "visits", "decisions", "reminders", "comparison", "reports")


def source_files(*apps):
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_each_capability_is_one_room_with_the_usual_files(capability):
    room = ROOT / "certification" / capability
    assert (room / "__init__.py").exists()
    assert (room / "models.py").exists()
    assert (room / "urls.py").exists()
    assert (room / "views.py").exists()
    assert list((room / "tests").glob("test_*.py")), f"{capability} has no tests of its own"
    assert (ROOT / "templates" / "certification" / capability).is_dir()


def test_no_flat_module_carries_a_folder_in_its_name():
    flat = sorted(path.name for path in (ROOT / "certification").glob("*.py"))
    assert not [name for name in flat if re.match(r"(views|forms|rules|report)_", name)]
    assert not [name for name in flat if name.startswith(("views_", "forms_", "report_"))]


def test_the_platform_and_the_registry_look_nothing_up_by_name():
    offenders = []
    for path in source_files("portal", "pensioners"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"import_string\(", r"except ImportError", r"get_model\(\s*[\"']certification"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_every_contract_is_registered_when_the_apps_are_ready():
    assert contracts.importer(ImportKind.ROSTER).columns
    assert contracts.importer(ImportKind.COMPARISON).required
    assert len(contracts._dashboard_panels) == 2
    assert len(contracts._card_extras) == 1
    assert len(contracts.audit_label_sets()) == 2
    menu = {item.url_name for node in navigation() for item in (getattr(node, "items", None) or [node])}
    for url_name in ("pensioner-search", "queue-overdue", "counter-desk", "home-visits", "reports",
                     "death-cases", "audit-log", "roster-import", "comparison-import", "data-sources"):  # fmt: skip
        assert url_name in menu
        reverse(url_name)


def test_a_missing_registration_fails_loudly(monkeypatch):
    monkeypatch.setattr(contracts, "_importers", {})
    with pytest.raises(ImproperlyConfigured):
        contracts.importer(ImportKind.ROSTER)


def test_there_is_one_refusal_type():
    classes = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in source_files("portal", "pensioners", "certification")
        for match in re.findall(r"^class (\w*Refused)\(", path.read_text(encoding="utf-8"), re.M)
    ]
    assert classes == ["portal/errors.py: Refused"]


def test_celery_tasks_keep_their_names_after_the_move():
    """Beat entries and messages already queued name tasks by these strings."""
    names = set(current_app.tasks)
    assert {
        "certification.tasks.plan_reminders",
        "certification.tasks.dispatch_reminders",
        "certification.tasks.refresh_city_report",
        "portal.tasks.run_import_job",
        "portal.run_export_job",
    } <= names
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= names
