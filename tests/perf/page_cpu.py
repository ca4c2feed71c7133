"""Median CPU ms per request of a few pages, on an account a benchmark built: the side-by-side
tool (run it alternately with PYTHONPATH at two trees on the same database copy, in the same
minutes, and compare ratios; a loaded machine makes absolute figures meaningless).

    PYTHONPATH=/path/to/tree python tests/perf/page_cpu.py sqlite:////tmp/x/bench-L.sqlite3 /contacts/ /followups/
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

from tests.perf.bench_pages import sign_in
from tracker import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of a benchmark account (not migrated here)")
    parser.add_argument("pages", nargs="+", help="paths, e.g. /contacts/ '/contacts/?last=1'")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="also a last line of JSON: median and mean per page")
    args = parser.parse_args()
    client = sign_in(create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp()))
    cells, figures = [], {}
    for page in args.pages:
        for _ in range(3):
            assert client.get(page).status_code == 200, page
        cpu, body = [], b""
        for _ in range(args.runs):
            started = time.process_time()
            body = client.get(page).get_data()
            cpu.append((time.process_time() - started) * 1000)
        cells.append(f"{page} {statistics.median(cpu):.1f} ms {len(body) / 1024:.0f} KB")
        figures[page] = {"median_ms": statistics.median(cpu), "mean_ms": statistics.fmean(cpu)}
    print(os.environ.get("PYTHONPATH", ""), " | ".join(cells), flush=True)
    if args.json:
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
