"""What a request leaves in reference cycles: objects only the collector frees (issue 17).

For each page it requests the page a few times, then `--runs` more with the collector's
DEBUG_SAVEALL, and prints the objects a collection then found unreachable, per request, by
type (the test client itself leaves 6: its own request object in its environ). Then, with
`tracker serve`'s collector tuning (tracker.cli.server.tune_gc), `--tail N` requests of the
page: the young collections they triggered, with their wall ms, and the page's p50 / p99.

    python -m tests.perf.request_cycles sqlite:////tmp/tracker-bench-x/bench-M.sqlite3 /contacts/ /settings/
    python -m tests.perf.request_cycles URL /contacts/ --tail 1000
"""
from __future__ import annotations

import argparse
import collections
import gc
import statistics
import tempfile
import time

from tests.perf.bench_pages import sign_in
from tracker import create_app


def left_in_cycles(client, page: str, runs: int) -> collections.Counter:
    """The objects that only the collector frees after `runs` requests of `page`, by
    'module.qualname' of their type (tests/web/test_request_cycles.py uses it too)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(runs):
            client.get(page)
        gc.collect()
        return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


def tail(client, page: str, n: int) -> None:
    from tracker.cli.server import tune_gc

    collections_, started = [], {}

    def timed(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        else:
            collections_.append((info["generation"], (time.perf_counter() - started["t"]) * 1000))

    tune_gc()
    gc.callbacks.append(timed)
    try:
        walls = []
        for _ in range(n):
            t = time.perf_counter()
            client.get(page)
            walls.append((time.perf_counter() - t) * 1000)
    finally:
        gc.callbacks.remove(timed)
        gc.unfreeze()
    q = statistics.quantiles(walls, n=100)
    print(f"{page}, {n} requests with tune_gc: p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms; collections "
          f"(generation, ms): {[(g, round(ms, 1)) for g, ms in collections_]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of a benchmark account")
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tail", type=int, default=0, metavar="N")
    args = parser.parse_args()
    client = sign_in(create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp()))
    for page in args.pages:
        for _ in range(10):
            client.get(page)
        kinds = left_in_cycles(client, page, args.runs)
        print(f"{page}: {sum(kinds.values()) / args.runs:.0f} objects left in cycles per request")
        for kind, count in kinds.most_common(12):
            print(f"  {count / args.runs:6.1f}  {kind}")
        if args.tail:
            tail(client, page, args.tail)


if __name__ == "__main__":
    main()
