"""What-if for the search page, in-process, without touching the application code.

    .venv/bin/python bench/experiment_search.py [--per-kind 20]

Runs each query kind through the real PensionerSearchView (Django test client) twice: as it is, and with
get_table_data() replaced *in this process only* by a variant that
  - fetches only the 25 rows of the page shown (the ids are already in rank order), instead of
    `WHERE id IN (<up to 1000 ids>) ORDER BY array_position(...)` joined to areas and states, plus a
    COUNT(*) over the same 1000-id list;
  - for a Chinese name, looks up the exact name first (`name = %s ORDER BY id`, index pensioner_name)
    instead of re-querying the 1001 prefix matches with `id IN (...)` to move exact matches first.
Prints median / p95 in-process ms per kind and user for both. Uses the bench database only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_setup, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django_setup()
    from bench_registry import KINDS, USERS, build_queries
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone
    from django_tables2.data import TableData

    import pensioners.views as views
    from pensioners.models import Pensioner
    from pensioners.search import NAME, NOTHING, UNRECOGNISED, _probe, plan_search, probes_for
    from portal.models import User

    class IdWindow(TableData):
        """The ranked ids; slicing (what the paginator does) loads only those rows."""

        def __len__(self):
            return len(self.data)

        def __getitem__(self, key):
            if isinstance(key, slice):
                window = self.data[key]
                found = Pensioner.objects.filter(pk__in=window).select_related("community", "state")
                by_pk = {row.pk: row for row in found}
                return [by_pk[pk] for pk in window if pk in by_pk]
            return self[key : key + 1][0]

        def __iter__(self):
            return iter(self[:])

        def order_by(self, aliases):
            pass

    def search_ids_exact_first(base, plan, *, cap):
        found, seen = [], set()
        steps = [("exact", None)] if plan.kinds == (NAME,) else []
        steps += [(kind, kind) for kind in probes_for(plan)]
        for step, kind in steps:
            if len(found) > cap:
                break
            if step == "exact":
                query = base.filter(name=plan.value).order_by("pk").values_list("pk", flat=True)
            else:
                query = _probe(base, kind, plan)
            for pk in query[: cap + 1 - len(found)]:
                if pk not in seen:
                    seen.add(pk)
                    found.append(pk)
        return found[: cap + 1]

    original = views.PensionerSearchView.get_table_data

    def page_only(self):
        cap = settings.SEARCH_COUNT_CAP
        self.plan = plan_search(self.request.GET.get("q", ""), today=timezone.localdate())
        if self.plan.kinds in ((NOTHING,), (UNRECOGNISED,)):
            return original(self)
        self.searching = True
        found = search_ids_exact_first(self.filterset.qs, self.plan, cap=cap)
        self.match_count = len(found)
        self.capped = self.match_count > cap
        return IdWindow(found[:cap])

    rng = random.Random(args.seed)
    print(f"in-process ms, {args.per_kind} values per kind: median / p95   (current → page-only variant)")
    for username, label, prefix in USERS:
        queries = build_queries(prefix, args.per_kind, rng)
        client = Client()
        client.force_login(User.objects.get(username=username))
        print(f"\n{label}")
        for kind, kind_label in KINDS:
            figures = []
            for variant in (original, page_only):
                views.PensionerSearchView.get_table_data = variant
                client.get("/pensioners/", {"q": queries[kind][0]})  # warm
                timings = []
                for q in queries[kind]:
                    started = time.perf_counter()
                    response = client.get("/pensioners/", {"q": q})
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                figures.append(f"{percentile(timings, 0.5):6.1f} / {percentile(timings, 0.95):6.1f}")
            views.PensionerSearchView.get_table_data = original
            print(f"  {kind_label:28} {figures[0]}  →  {figures[1]}")


if __name__ == "__main__":
    main()
