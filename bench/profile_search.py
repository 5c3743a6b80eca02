"""cProfile one search request in-process (Django test client), to see where non-DB time goes.

    .venv/bin/python bench/profile_search.py [--user demo_admin] [--q 王] [--repeat 20]   (BENCH_DEBUG=0 for DEBUG off)

Runs against the bench database only. Prints wall time per request, DB time, and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="demo_admin")
    parser.add_argument("--q", default="王")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    from benchlib import DEBUG_MODE, django_setup

    django_setup()
    from django.test import Client

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    client.get("/pensioners/", {"q": args.q}, secure=True)
    timings = []
    for _ in range(args.repeat):  # timed without the profiler
        started = time.perf_counter()
        response = client.get("/pensioners/", {"q": args.q}, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    print(
        f"{args.user} q={args.q!r} DEBUG={int(DEBUG_MODE)}: median {timings[len(timings) // 2]:.1f} ms, "
        f"min {timings[0]:.1f} ms (no profiler)"
    )
    profiler = cProfile.Profile()
    for _ in range(args.repeat):
        profiler.enable()
        client.get("/pensioners/", {"q": args.q}, secure=True)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
