"""In-process page costs for tests/perf/bench.py: CPU ms, output size and SQL statements per page.

CPU time (time.process_time) rather than wall time: the machine is shared, and a request that
waits for a core has not cost more. On PostgreSQL this is the app's side only (the server's
own CPU is not counted); the plans are checked separately (bench.py --explain).
"""
from __future__ import annotations

import gc
import os
import re
import statistics
import time

import sqlalchemy as sa
from sqlalchemy import event

from tests.perf.bench_data import EMAIL, PASSWORD
from tracker.extensions import db

# Pages whose output has a fixed size: <= CPU_TARGET_MS median CPU at L. Every page: L/S <= FLAT_TARGET.
CPU_TARGET_MS = 10.0
FLAT_TARGET = 1.5


def sign_in(app):
    """A test client signed in through the real form (with its CSRF token, as a browser)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ids(app, user_id: int) -> dict:
    """Ids the page URLs need: the company with the most contacts, an opportunity, an interview.

    The opportunity is alike at every size: one with at least two rounds, at the company with
    the most contacts (its warm-paths panel full), not the first one, whose shape is chance."""
    from tracker.models import Contact, Interview, Opportunity

    with app.app_context():
        s = db.session
        company = s.execute(sa.select(Contact.company_id, sa.func.count()).where(
            Contact.user_id == user_id, Contact.company_id.is_not(None)).group_by(Contact.company_id)
            .order_by(sa.func.count().desc(), Contact.company_id).limit(1)).first()[0]
        people = (sa.select(sa.func.count()).where(Contact.company_id == Opportunity.company_id)
                  .correlate(Opportunity).scalar_subquery())
        rounds = (sa.select(sa.func.count()).where(Interview.opportunity_id == Opportunity.id)
                  .correlate(Opportunity).scalar_subquery())
        opportunity = min(s.execute(sa.select(Opportunity.id, people, rounds).where(Opportunity.user_id == user_id)),
                          key=lambda r: (-min(r[2], 2), -r[1], r[0]))[0]
        interview = s.scalar(sa.select(Interview.id).join(Opportunity).where(Opportunity.user_id == user_id)
                             .order_by(Interview.id).limit(1))
        db.engine.dispose()
    return {"company": company, "opportunity": opportunity, "interview": interview}


def _last_page_url(client, built, per_page: int) -> str:
    """The contacts list's last page as the page links it (rel=last), else by page number."""
    html = client.get("/contacts/").get_data(as_text=True)
    link = re.search(r'<a[^>]*rel="last"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="last"', html)
    if link:
        return (link.group(1) or link.group(2)).replace("&amp;", "&")
    return f"/contacts/?page={max(1, -(-built.contacts // per_page))}"


def pages(app, client, built) -> dict[str, str]:
    ids = _ids(app, built.user_id)
    return {
        "dashboard": "/",
        "companies list": "/companies/",
        "company page": f"/companies/{ids['company']}",
        "opportunities board": "/opportunities/",
        "opportunities list": "/opportunities/?view=list",
        "opportunity page": f"/opportunities/{ids['opportunity']}",
        "interview page": f"/interviews/{ids['interview']}",
        "contacts page 1": "/contacts/",
        "contacts, last page": _last_page_url(client, built, app.config["PER_PAGE"]),
        "contacts search": "/contacts/?q=lovelace",
        "contact (500 entries)": f"/contacts/{built.timeline_contact_id}",
        "follow-ups": "/followups/",
        "follow-ups, last page": "/followups/?last=1",
        "activity": "/activity/",
        "settings": "/settings/",
        "search": "/search?q=lovelace",
    }


_TICKS = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pids: set[int]) -> float:
    """CPU seconds of these PostgreSQL server processes (same machine: read from /proc); 0 if unreadable."""
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


ROUNDS = 16  # rounds of requests per page (bench.py --rounds); the figure is the median of their medians


def measure(app, built, runs: int, rounds: int = ROUNDS) -> dict[str, dict]:
    """One account's pages (see measure_many)."""
    return measure_many([(app, built)], runs, rounds)[0]


class _Target:
    """One account being measured: its signed-in client, page URLs and statement counter."""

    def __init__(self, app, built):
        self.client = sign_in(app)
        self.urls = pages(app, self.client, built)
        with app.app_context():
            self.engine = db.engine
        self.pg = self.engine.dialect.name == "postgresql"
        self.statements = 0
        self.backends: set[int] = set()
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, *args):
        self.statements += 1
        if self.pg:
            self.backends.add(conn.connection.dbapi_connection.info.backend_pid)

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._count)


class _Sampler:
    """One account's samples: each round gives every page `per_round` requests in turn."""

    def __init__(self, app, built):
        self.target = _Target(app, built)
        self.samples = {name: {"cpu": [], "wall": [], "rounds": [], "statements": 0, "db_s": 0.0, "spans": []}
                        for name in self.target.urls}
        self.bodies: dict[str, bytes] = {}

    def warm(self) -> None:
        """Every page twice, not counted (templates compiled, statements cached)."""
        t = self.target
        for name, url in t.urls.items():
            for _ in range(2):
                response = t.client.get(url)
                assert response.status_code == 200, (name, url, response.status_code)

    def round(self, per_round: int) -> tuple[float, float]:
        """One round over every page; returns its (start, end) on the system's monotonic clock."""
        t = self.target
        began = time.monotonic()
        for name, url in t.urls.items():
            got = self.samples[name]
            t.statements = 0
            db_before = _backend_cpu(t.backends) if t.pg else 0.0
            cpu = []
            for _ in range(per_round):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = t.client.get(url)
                self.bodies[name] = response.get_data()
                cpu.append((time.process_time() - started_cpu) * 1000)
                got["wall"].append((time.perf_counter() - started) * 1000)
            got["cpu"] += cpu
            got["rounds"].append(statistics.median(cpu))
            got["statements"] += t.statements
            if t.pg:
                got["db_s"] += _backend_cpu(t.backends) - db_before
        return began, time.monotonic()

    def result(self) -> dict[str, dict]:
        self.target.close()
        out = {}
        for name, url in self.target.urls.items():
            got, n = self.samples[name], len(self.samples[name]["cpu"])
            out[name] = {"url": url, "cpu_ms": statistics.median(got["rounds"]), "cpu_rounds": got["rounds"],
                         "cpu_p95_ms": percentile(got["cpu"], 0.95), "wall_ms": statistics.median(got["wall"]),
                         "kb": len(self.bodies[name]) / 1024, "statements": got["statements"] / n}
            if self.target.pg:
                out[name]["db_cpu_ms"] = got["db_s"] * 1000 / n
        return out


def measure_many(targets: list, runs: int, rounds: int = ROUNDS, tune=None) -> list[dict[str, dict]]:
    """Per account (app, built) and page, all in this process: median and p95 CPU ms, median
    wall ms, KB of output, SQL statements per request.

    The requests are spread over `rounds` rounds; in each round every page of every account
    gets its share of them in turn (accounts, then pages, in order), so that a change in the
    machine's load during the run hits every size and page alike instead of whichever was
    measured at that moment. `cpu_ms` is the median of the rounds' medians: a round disturbed
    by another process moves one of `rounds` values, not the figure; `cpu_rounds` keeps them.

    On PostgreSQL also `db_cpu_ms`: the mean CPU of the server process(es) that answered the
    page's queries (read from /proc, so with a server on this machine; 10 ms clock ticks, hence
    a mean over the runs, not a median).

    `tune` (bench.py --served-gc: tracker.cli.server.tune_gc) sets the collector as each of
    `tracker serve`'s workers has it while the pages are measured; the interpreter's defaults
    come back after.

    bench.py measures each account in a process of its own (measure_apart): several apps in one
    process made every page dearer (README, Performance: "What a served request costs, and one account per process").
    """
    per_round = max(1, -(-runs // rounds))
    live = [_Sampler(app, built) for app, built in targets]
    default = gc.get_threshold()
    try:
        if tune is not None:
            tune()
        for sampler in live:
            sampler.warm()
        for _ in range(rounds):
            for sampler in live:
                sampler.round(per_round)
    finally:
        if tune is not None:
            gc.unfreeze()
            gc.set_threshold(*default)
    return [sampler.result() for sampler in live]


def gc_effect(app, built, runs: int, tune) -> dict[str, dict]:
    """Dashboard and board, `runs` requests each with the interpreter's default collector, then with
    tracker's tuning (`tune`, what `tracker serve` applies in each worker): wall p95 and full collections."""
    client = sign_in(app)
    full = []
    callback = lambda phase, info: full.append(1) if phase == "start" and info["generation"] == 2 else None  # noqa: E731
    out: dict[str, dict] = {}
    default = gc.get_threshold()
    gc.callbacks.append(callback)
    try:
        for mode in ("default", "tuned"):
            if mode == "tuned":
                tune()
            for name, url in (("dashboard", "/"), ("opportunities board", "/opportunities/"),
                              ("contacts page 1", "/contacts/")):
                client.get(url)
                full.clear()
                wall = []
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get(url).get_data()
                    wall.append((time.perf_counter() - started) * 1000)
                out.setdefault(name, {})[mode] = {"p50_ms": statistics.median(wall), "p95_ms": percentile(wall, 0.95),
                                                  "full_collections": len(full)}
    finally:
        gc.callbacks.remove(callback)
        gc.unfreeze()
        gc.set_threshold(*default)
    return out
