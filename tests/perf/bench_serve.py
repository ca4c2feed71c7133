"""`tracker serve`'s ways of serving side by side (issue 17: what a request costs between the
socket and the view, and which gunicorn default): each variant is a checkout (--code, default
this one) and `tracker serve` arguments; every variant serves the same pages of an account a
benchmark built (bench.py --keep / --existing), under wrk, in rounds, so that a change in the
machine's load hits every variant alike (each round starts from the next variant).

    python -m tests.perf.bench_serve sqlite:////tmp/tracker-bench-X/bench-M.sqlite3 \\
        --variant "main=/work/main:--threads 4 --keepalive 0" --variant "this=:--threads 4 --keepalive 0" \\
        --pages /shortcuts,/followups/ --connections 1 --duration 5 --rounds 3

Per variant and page it prints req/s, p50 / p99 ms and the CPU ms per request of the app's
processes, the PostgreSQL server and wrk (tests/perf/bench_http.py), the median over rounds.
Not collected by pytest.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.perf import bench_http


def parse_variant(text: str) -> tuple[str, str, list[str], dict]:
    """'name=CODE_DIR:serve args' (CODE_DIR empty: this checkout); an argument +NAME=VALUE is an
    environment variable of that server (e.g. +TRACKER_SCHEDULER=off)."""
    name, rest = text.split("=", 1)
    code, _, args = rest.partition(":")
    words = args.split()
    env = dict(w[1:].split("=", 1) for w in words if w.startswith("+"))
    return name, code, [w for w in words if not w.startswith("+")], env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of a benchmark account")
    parser.add_argument("--variant", action="append", required=True, metavar="NAME=CODE:ARGS")
    parser.add_argument("--pages", default="/shortcuts,/followups/,/")
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for every server")
    parser.add_argument("--breakdown", action="store_true",
                        help="serve through tests/perf/serve_probe.py: where each worker's CPU per request went")
    parser.add_argument("--in-process", type=int, default=0, metavar="RUNS",
                        help="each round also measures the pages in a process of their own with one app "
                             "(tests/perf/page_cpu.py, RUNS requests each, the first variant's checkout)")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant]
    paths = {p: p for p in args.pages.split(",")}
    connections = tuple(int(c) for c in args.connections.split(","))
    extra_env = dict(e.split("=", 1) for e in args.env)
    results: dict = {}
    instance = Path(tempfile.mkdtemp(prefix="tracker-serve-"))
    print(f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    in_process: dict[str, list] = {}
    for r in range(args.rounds):
        if args.in_process:
            for page, figures in page_cpu(args.url, variants[0][1], list(paths), args.in_process, extra_env).items():
                in_process.setdefault(page, []).append(figures)
        # Each round starts from the next variant: a machine whose speed drifts within a round
        # (other tenants, the CPU's clock) would otherwise favour the same variant every round.
        for name, code, serve_args, env in variants[r % len(variants):] + variants[:r % len(variants)]:
            bench_http.MODES[name] = serve_args
            probe = Path(tempfile.mkdtemp(prefix="tracker-probe-")) if args.breakdown else None
            out = bench_http.measure(args.url, instance, paths, args.duration, [name], connections,
                                     log=lambda *a: None, code=code or None, env={**extra_env, **env}, probe=probe)
            for page, per_c in out[name].items():
                for c, res in per_c.items():
                    results.setdefault((page, c), {}).setdefault(name, []).append(res)
        print(f"round {r + 1} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'page':22} {'c':>3} {'variant':14} {'req/s':>7} {'p50':>7} {'p99':>7}  CPU ms/request app + db + wrk = total")
    for (page, c), per_variant in results.items():
        for name, runs in per_variant.items():
            med = lambda key: statistics.median(x[key] or 0 for x in runs)  # noqa: E731
            cpu = {k: statistics.median(x["cpu_ms"][k] or 0 for x in runs) for k in ("app", "db", "wrk", "total")}
            print(f"{page:22} {c:3d} {name:14} {med('rps'):7.1f} {med('p50_ms'):7.1f} {med('p99_ms'):7.1f}  "
                  f"{cpu['app']:.2f} + {cpu['db']:.2f} + {cpu['wrk']:.2f} = {cpu['total']:.2f}"
                  f"   (app per round: {', '.join(format(x['cpu_ms']['app'], '.2f') for x in runs)}; "
                  f"workers' CPU s {'; '.join(str(x['worker_cpu_s']) for x in runs)}; "
                  f"errors {sum(x['errors'] for x in runs)})")
            probes = [x["probe"] for x in runs if x.get("probe")]
            if probes:
                print(f"{'':41}breakdown, ms a request (median over rounds): {breakdown_line(probes)}")
        if c == connections[0] and in_process.get(page):
            figures = in_process[page]
            print(f"{page:22} {'':3} {'in-process':14} one app in its own process: median "
                  f"{statistics.median(f['median_ms'] for f in figures):.2f}, mean "
                  f"{statistics.median(f['mean_ms'] for f in figures):.2f} ms CPU a request")


def breakdown_line(probes: list[dict]) -> str:
    """serve_probe's figures: the whole worker, Flask's WSGI call, gunicorn around it, ..."""
    med = lambda key: statistics.median(p[key] for p in probes)  # noqa: E731
    threads: dict[str, list] = {}
    for p in probes:
        for kind, ms in p["threads_ms"].items():
            threads.setdefault(kind, []).append(ms)
    return (f"workers {med('process_ms'):.2f} = flask {med('flask_ms'):.2f} (median {med('flask_median_ms'):.2f})"
            f" + gunicorn in the request thread {med('handle_ms') - med('flask_ms'):.2f} (access log "
            f"{med('access_log_ms'):.2f}) + other threads; gc {med('gc_ms'):.2f}; threads: "
            + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in sorted(threads.items())))


def page_cpu(url: str, code: str, pages: list[str], runs: int, env: dict) -> dict[str, dict]:
    """The pages' median and mean CPU ms in a process of their own (tests/perf/page_cpu.py)."""
    out = subprocess.run([sys.executable, "tests/perf/page_cpu.py", url, *pages, "--runs", str(runs), "--json"],
                         env={**os.environ, **env, **({"PYTHONPATH": code} if code else {})},
                         cwd=bench_http.ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
