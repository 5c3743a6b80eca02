"""What-ifs for bench_decisions.py, applied in memory only (nothing in the app changes on disk).

`no_area_join`: the suspension candidate list fetches its rows without joining pensioners_area
(select_related("pensioner") + prefetch_related("pensioner__community"): one small query for the ≤ 50
communities of the page). The planner underestimates the candidate set (~230 rows for 20,000), so with the
join it picks a nested loop that compares every candidate with all 4,163 areas.

As a WSGI module for gunicorn: `decisions_whatif:application` (with bench/ on the Python path).
"""

from __future__ import annotations

_ORIGINAL = {}


def no_area_join(enable: bool = True) -> None:
    from certification.decisions import views

    view = views.SuspensionCandidateListView
    if "scoped_rows" not in _ORIGINAL:
        _ORIGINAL["scoped_rows"] = view.scoped_rows
    original = _ORIGINAL["scoped_rows"]
    if not enable:
        view.scoped_rows = original
        return

    def scoped_rows(self, scoped):
        return (
            original(self, scoped)
            .select_related(None)
            .select_related("pensioner")
            .prefetch_related("pensioner__community")
        )

    view.scoped_rows = scoped_rows


def _application():
    from portal.wsgi import application as portal_application

    no_area_join()
    return portal_application


application = _application()
