"""One account per process for tests/perf/bench.py: each engine x size is measured in a child
process that holds only its own app, as a served worker does, driven round by round over a pipe
so that every account is still measured in the same rounds (a drift of the machine's load moves
them all alike).

Why (issue 17, seventh session): the six accounts' apps measured in one process read up to 2x
higher than one app alone (the same build, the same pages); a server process holds one app.
README, Performance: "What a served request costs, and one account per process".

The parent (measure_apart) starts every child, waits until each has signed in and warmed its
pages, then for each round tells the children one after the other to request each of their
pages `per_round` times, waiting for each to finish before the next starts: only one account
is measured at any moment, as before. At the end each child measures the dashboard's floor
query (bench.dashboard_floor) in its own process too, and reports.

    python -m tests.perf.bench_apart '{"url": ..., "instance": ..., "user_id": ..., ...}'

is the child; it reads `round N` and `finish` lines on stdin and answers one line each on
stdout, prefixed with MARK. Not collected by pytest.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MARK = "@bench-apart "
ROOT = Path(__file__).resolve().parents[2]


def spec(url: str, instance: Path, built, *, tune: bool = False, floor_runs: int = 0) -> dict:
    """What a child needs to measure one account (JSON)."""
    return {"url": url, "instance": str(instance), "user_id": built.user_id, "contacts": built.contacts,
            "touchpoints": built.touchpoints, "timeline_contact_id": built.timeline_contact_id,
            "tune": tune, "floor_runs": floor_runs}


class _Child:
    def __init__(self, account: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.perf.bench_apart", json.dumps(account)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)

    def ask(self, line: str | None = None) -> dict:
        if line is not None:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        for out in self.proc.stdout:
            if out.startswith(MARK):
                return json.loads(out[len(MARK):])
            sys.stderr.write(out)  # anything else the child printed
        raise RuntimeError(f"bench child {self.proc.pid} ended (exit status {self.proc.wait()})")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def measure_apart(accounts: list[dict], runs: int, rounds: int) -> list[dict]:
    """Per account (a spec()): {"pages": bench_pages' per-page figures, "floor": the dashboard's
    floor or None, "pid": the child's, "spans": each round's (start, end) on the monotonic clock}."""
    per_round = max(1, -(-runs // rounds))
    children = [_Child(a) for a in accounts]
    try:
        for child in children:
            child.ask()  # signed in, pages warmed
        spans: list[list] = [[] for _ in children]
        for _ in range(rounds):
            for k, child in enumerate(children):
                spans[k].append(child.ask(f"round {per_round}")["span"])
        results = []
        for k, child in enumerate(children):
            result = child.ask("finish")
            result["spans"] = spans[k]
            results.append(result)
        return results
    finally:
        for child in children:
            child.close()


def _child(account: dict) -> None:
    from tests.perf import bench_pages
    from tests.perf.bench_data import Built
    from tracker import create_app

    def answer(value: dict) -> None:
        sys.stdout.write(MARK + json.dumps(value) + "\n")
        sys.stdout.flush()

    app = create_app({"DATABASE_URL": account["url"], "SECRET_KEY": "bench"}, instance=Path(account["instance"]))
    built = Built(account["user_id"], account["contacts"], account["touchpoints"], account["timeline_contact_id"], "")
    sampler = bench_pages._Sampler(app, built)
    if account["tune"]:  # bench.py --served-gc: the collector as tracker serve's workers set it
        from tracker.cli.server import tune_gc

        tune_gc()
    sampler.warm()
    answer({"ready": os.getpid()})
    for line in sys.stdin:
        word, _, arg = line.strip().partition(" ")
        if word == "round":
            answer({"span": sampler.round(int(arg))})
        elif word == "finish":
            floor = None
            if account["floor_runs"]:
                from tests.perf.bench import dashboard_floor

                floor = dashboard_floor(app, built.user_id, account["floor_runs"])
            answer({"pages": sampler.result(), "floor": floor, "pid": os.getpid()})
            return


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
