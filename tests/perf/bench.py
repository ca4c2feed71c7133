"""Benchmark: tracker at S / M / L on SQLite and PostgreSQL, against measured floors.

    .venv/bin/python -m tests.perf.bench --sizes S,M --db sqlite,postgresql

For each database and size it builds one account through the app's services
(tests/perf/bench_data.py), then measures:

(a) in-process latency (Flask test client; median and p99 of --runs requests) of the
    dashboard, the contacts list (page 1, search, filter, sort, a deep page), a contact
    with a 500-entry timeline, the follow-ups list, the calendar feed (full build and 304)
    and the JSON endpoints;
(b) over HTTP, `tracker serve --workers 1/2/4` under wrk (16 connections, --duration s)
    with a signed-in session cookie: requests/s, p50, p99 per page;
(c) imports (10,000-card vCard, 30,000-row LinkedIn CSV) through the upload's code path,
    (d) exports (all contacts as vCard, the full feed), each in its own process: time and
    peak RSS (tests/perf/bench_io.py);
(e) the floors, in the same run: the one SQL query that computes the dashboard's due list,
    vobject alone parsing / serialising the same cards, icalendar alone building and
    serialising the same events; each ratio is printed.

PostgreSQL: --pg-url is an admin URL (default $TRACKER_TEST_DATABASE_URL, else the local
server tests/pg.sh starts); a database tracker_bench_<size> is (re)created in it.
Results: a table on stdout and bench-results/bench-<time>.json. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.perf.bench_data import EMAIL, PASSWORD, build
from tracker import clock, create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_PG = "postgresql+psycopg://postgres:tracker@127.0.0.1:5432/postgres"
TARGETS = {"dashboard/floor": 2.0, "vcard import/parse": 2.0, "vcard export/serialise": 1.5,
           "feed/icalendar": 1.3, "p99 ms": 150.0, "304 ms": 5.0, "import peak MB": 300.0}


# --- Databases -------------------------------------------------------------------------------

def database_url(engine: str, size: str, folder: Path, pg_admin: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / f'bench-{size}.sqlite3'}"
    name = f"tracker_bench_{size.lower()}"
    admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return sa.engine.make_url(pg_admin).set(database=name).render_as_string(hide_password=False)


# --- (a) in-process latency --------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(client, url: str, runs: int, headers=None, status: int = 200) -> dict:
    for _ in range(2):
        response = client.get(url, headers=headers)
        assert response.status_code == status, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (url, response.status_code)
    return {"median_ms": statistics.median(times), "p99_ms": percentile(times, 0.99), "runs": runs}


def in_process(app, built, runs: int) -> dict[str, dict]:
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    deep = max(1, built.contacts // app.config["PER_PAGE"] - 1)
    pages = {
        "dashboard": "/",
        "contacts p1": "/contacts/",
        "contacts search": "/contacts/?q=lovelace",
        "contacts search 2 words": "/contacts/?q=ada+hopper",
        "contacts filter": "/contacts/?role=recruiter&tag=python",
        "contacts sort -added": "/contacts/?sort=-added",
        f"contacts deep page {deep}": f"/contacts/?page={deep}",
        "contact (500 timeline)": f"/contacts/{built.timeline_contact_id}",
        "follow-ups": "/followups/",
        "feed (full build)": f"/calendar/{built.feed_token}.ics",
        "healthz (JSON)": "/healthz",
    }
    results = {name: timed(client, url, runs) for name, url in pages.items()}
    etag = client.get(pages["feed (full build)"]).headers.get("ETag")
    results["feed 304"] = timed(client, pages["feed (full build)"], runs * 2, {"If-None-Match": etag}, 304)
    with app.app_context():
        from tracker.models import ImportJob

        job_id = db.session.scalar(sa.select(ImportJob.id).limit(1))
    if job_id:
        results["import status (JSON)"] = timed(client, f"/transfer/jobs/{job_id}/status.json", runs)
    return results


def dashboard_floor(app, user_id: int, runs: int) -> dict:
    """The one SQL query that computes the dashboard's due list (cadence due dates, in order)."""
    from tracker.domain.cadence import DEFAULT_CADENCE_DAYS

    roles = " ".join(f"WHEN '{role}' THEN {days}" for role, days in DEFAULT_CADENCE_DAYS.items())
    interval = f"coalesce(c.cadence_days, CASE c.role {roles} ELSE 60 END)"
    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
        due = (f"(coalesce(c.last_touch_on, CAST(c.created_at AS date)) + {interval})" if pg else
               f"date(coalesce(c.last_touch_on, date(c.created_at)), '+' || {interval} || ' days')")
        sql = sa.text(f"SELECT id, full_name, due FROM (SELECT c.id, c.full_name, {due} AS due FROM contacts c "
                      f"WHERE c.user_id = :u AND c.archived_at IS NULL AND NOT c.no_reminders) AS d "
                      f"WHERE due <= :horizon ORDER BY due, id")
        horizon = clock.today("Europe/Berlin") + timedelta(days=7)
        times, rows = [], 0
        with db.engine.connect() as connection:
            for i in range(runs + 2):
                started = time.perf_counter()
                rows = len(connection.execute(sql, {"u": user_id, "horizon": horizon}).all())
                if i >= 2:
                    times.append((time.perf_counter() - started) * 1000)
        db.engine.dispose()
    return {"median_ms": statistics.median(times), "p99_ms": percentile(times, 0.99), "rows": rows}


# --- (b) HTTP under wrk -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, instance: Path) -> dict:
    return {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-shared-secret",
            "TRACKER_INSTANCE": str(instance)}


def start_server(url: str, instance: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([PYTHON, "-m", "tracker", "serve", "--workers", str(workers), "--port", str(port)],
                            env=server_env(url, instance), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("tracker serve exited")
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("tracker serve did not answer")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def login_cookie(base: str, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Sign in through the real form with urllib; returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", "tracker-bench")]
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    opener.open(base + "/login", data=body).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookie, cookie
    return cookie


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(url: str, cookie: str, duration: int, connections: int = 16) -> dict:
    script = ROOT / "tests" / "perf" / "wrk" / "session.lua"
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
                         env={**os.environ, "TRACKER_COOKIE": cookie}, capture_output=True, text=True,
                         check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for q in ("50", "99"):
        m = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        result[f"p{q}_ms"] = float(m.group(1)) * _UNITS[m.group(2)] if m else None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = errors.group(1) if errors else ""
    return result


def over_http(url: str, instance: Path, built, workers_list: list[int], duration: int) -> dict:
    pages = {"dashboard": "/", "contacts p1": "/contacts/", "contacts search": "/contacts/?q=lovelace",
             "contact (500 timeline)": f"/contacts/{built.timeline_contact_id}", "follow-ups": "/followups/",
             "feed (full build)": f"/calendar/{built.feed_token}.ics"}
    results: dict = {}
    for workers in workers_list:
        proc, base = start_server(url, instance, workers)
        try:
            cookie = login_cookie(base)
            for name, path in pages.items():
                results.setdefault(name, {})[workers] = run_wrk(base + path, cookie, duration)
                print(f"    wrk {workers} worker(s) {name}: {results[name][workers]}", flush=True)
        finally:
            stop_server(proc)
    return results


# --- (c, d, e) imports, exports and their floors, one process each --------------------------------

def vcard_file(path: Path, cards: int, seed_offset: int = 0) -> None:
    """Cards like an address book exports: N, FN, ORG, TITLE, EMAIL, TEL, NOTE, CATEGORIES, UID."""
    with path.open("w", encoding="utf-8", newline="") as f:
        for i in range(cards):
            n = i + seed_offset
            f.write("BEGIN:VCARD\r\nVERSION:3.0\r\n"
                    f"N:Imported{n};Card;;;\r\nFN:Card Imported{n}\r\nORG:Vendor {n % 700}\r\n"
                    f"TITLE:Engineer\r\nEMAIL;TYPE=INTERNET,WORK:card{n}@import.example\r\n"
                    f"TEL;TYPE=CELL:+49 30 {1000000 + n}\r\nNOTE:Met at a conference\\, talked about {n}\r\n"
                    f"CATEGORIES:imported,batch{n % 5}\r\nUID:bench-{n}@import.example\r\nEND:VCARD\r\n")


def linkedin_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Notes:\n\"When exporting your connection data, you may notice that some of the email addresses "
                "are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
        for i in range(rows):
            f.write(f"Lin{i},Kedin{i},https://www.linkedin.com/in/bench-{i},,\"Company {i % 900}, Inc.\","
                    f"Engineer,{(i % 28) + 1:02d} Mar 2024\n")


def io_task(task: str, url: str, instance: Path, user_id: int, file: Path | None = None) -> dict:
    cmd = [PYTHON, "-m", "tests.perf.bench_io", task, "--db", url, "--instance", str(instance),
           "--user-id", str(user_id)]
    if file:
        cmd += ["--file", str(file)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        return {"task": task, "error": (out.stderr or out.stdout)[-800:]}
    return json.loads(lines[-1])


def imports_and_exports(url: str, instance: Path, built, folder: Path, vcards: int, linkedin_rows: int) -> dict:
    vcf, csv = folder / "import.vcf", folder / "Connections.csv"
    if not vcf.exists():
        vcard_file(vcf, vcards)
        linkedin_file(csv, linkedin_rows)
    r: dict = {}
    r["export vcard"] = io_task("export-vcard", url, instance, built.user_id)
    r["export feed"] = io_task("export-feed", url, instance, built.user_id)
    exported = folder / "exported.vcf"
    feed = folder / "feed.ics"
    with create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=instance).app_context():
        from tracker.models import User
        from tracker.services.calendar_feed import render_feed
        from tracker.services.vcards import export_vcards

        user = db.session.get(User, built.user_id)
        exported.write_text("".join(export_vcards(user)), encoding="utf-8")
        feed.write_bytes(render_feed(user, "https://tracker.example.org", clock.today(user.timezone)))
        db.engine.dispose()
    r["floor vobject serialise (export's cards)"] = io_task("floor-vobject-serialise", url, instance, built.user_id,
                                                           exported)
    r["floor icalendar (feed's events)"] = io_task("floor-icalendar", url, instance, built.user_id, feed)
    r["floor vobject parse (import file)"] = io_task("floor-vobject-parse", url, instance, built.user_id, vcf)
    r["import vcard"] = io_task("import-vcard", url, instance, built.user_id, vcf)
    r["import linkedin"] = io_task("import-linkedin", url, instance, built.user_id, csv)
    return r


# --- Report ---------------------------------------------------------------------------------------

def ratio(a, b) -> float | None:
    try:
        return a / b
    except (TypeError, ZeroDivisionError):
        return None


def summarise(run: dict) -> list[str]:
    lines = [f"== {run['db']} {run['size']}: {run['contacts']} contacts, {run['touchpoints']} touchpoints; "
             f"built in {sum(run['build_s'].values()):.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in run['build_s'].items())}); "
             f"rates {', '.join(f'{k} {v:.0f}' for k, v in run['rates'].items())}"]
    lines.append(f"  {'in-process page':34} {'median ms':>10} {'p99 ms':>10}")
    for name, r in run["latency"].items():
        lines.append(f"  {name:34} {r['median_ms']:10.1f} {r['p99_ms']:10.1f}")
    floor = run["floors"]["dashboard due-list SQL"]
    lines.append(f"  {'floor: dashboard due-list SQL':34} {floor['median_ms']:10.1f} {floor['p99_ms']:10.1f}"
                 f"   ({floor['rows']} rows)")
    lines.append(f"  dashboard / floor = {ratio(run['latency']['dashboard']['median_ms'], floor['median_ms']):.1f}x"
                 f" (target <= {TARGETS['dashboard/floor']}x)")
    http = run.get("http") or {}
    if http:
        workers = sorted({w for per in http.values() for w in per})
        lines.append("  HTTP (wrk, 16 connections): " + "   ".join(f"[{w} worker(s)] req/s p50 p99" for w in workers))
        for name, per in http.items():
            cells = "   ".join(f"{per[w]['rps']:7.1f} {per[w]['p50_ms'] or 0:6.0f} {per[w]['p99_ms'] or 0:6.0f}"
                               + (f" ({per[w]['non_2xx']} non-2xx)" if per[w]["non_2xx"] else "")
                               for w in workers)
            lines.append(f"    {name:32} {cells}")
        if 1 in workers and 4 in workers:
            scale = {n: ratio(per[4]["rps"], per[1]["rps"]) for n, per in http.items()}
            lines.append("    scaling 1 -> 4 workers: " + ", ".join(f"{n} {s:.2f}x" for n, s in scale.items() if s))
    io = run.get("io") or {}
    if io:
        lines.append(f"  {'import / export':40} {'s':>8} {'peak RSS MB':>12}")
        for name, r in io.items():
            if "seconds" in r:
                extra = ""
                if "analyse_s" in r:
                    extra = f"  (analyse {r['analyse_s']:.1f} s, apply {r['apply_s']:.1f} s, {r.get('status')})"
                lines.append(f"  {name:40} {r['seconds']:8.2f} {r['peak_rss_mb']:12.0f}{extra}")
            else:
                lines.append(f"  {name:40} {r.get('todo') or ('ERROR ' + r.get('error', '')[-300:])}")
        g = lambda k: io.get(k, {}).get("seconds")  # noqa: E731
        lines.append(f"  vCard import / vobject parse = {ratio(g('import vcard'), g('floor vobject parse (import file)')) or float('nan'):.1f}x"
                     f" (target <= 2); export / vobject serialise = "
                     f"{ratio(g('export vcard'), g('floor vobject serialise (export' + chr(39) + 's cards)')) or float('nan'):.1f}x"
                     f" (target <= 1.5); feed / icalendar = "
                     f"{ratio(g('export feed'), g('floor icalendar (feed' + chr(39) + 's events)')) or float('nan'):.2f}x"
                     f" (target <= 1.3)")
    return lines


def markdown(runs: list[dict]) -> str:
    """The README's tables: in-process latency, HTTP, imports/exports, for every run given."""
    heads = [f"{r['db']} {r['size']}" for r in runs]
    out = ["| in-process, median / p99 ms | " + " | ".join(heads) + " |", "|---" * (len(runs) + 1) + "|"]
    latency = [{re.sub(r"deep page \d+", "deep page (last)", k): v for k, v in r["latency"].items()} for r in runs]
    for name in dict.fromkeys(n for lat in latency for n in lat):
        cells = [f"{lat[name]['median_ms']:.0f} / {lat[name]['p99_ms']:.0f}" if name in lat else "" for lat in latency]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("| *floor: due-list SQL* | " + " | ".join(
        f"{r['floors']['dashboard due-list SQL']['median_ms']:.1f} / {r['floors']['dashboard due-list SQL']['p99_ms']:.1f}"
        for r in runs) + " |")
    out.append("| **dashboard / floor** | " + " | ".join(
        f"{ratio(r['latency']['dashboard']['median_ms'], r['floors']['dashboard due-list SQL']['median_ms']):.1f}x"
        for r in runs) + " |")
    http_runs = [r for r in runs if r.get("http")]
    if http_runs:
        workers = sorted({int(w) for r in http_runs for per in r["http"].values() for w in per})
        out += ["", "| wrk, 16 connections, 10 s: req/s, p50 / p99 ms | "
                + " | ".join(f"{r['db']} {r['size']}, {w} worker{'s' if w > 1 else ''}" for r in http_runs for w in workers)
                + " |", "|---" * (len(http_runs) * len(workers) + 1) + "|"]
        for name in dict.fromkeys(n for r in http_runs for n in r["http"]):
            cells = []
            for r in http_runs:
                for w in workers:
                    cell = r["http"].get(name, {}).get(w) or r["http"].get(name, {}).get(str(w))
                    cells.append(f"{cell['rps']:.0f}, {cell['p50_ms'] or 0:.0f} / {cell['p99_ms'] or 0:.0f}" if cell else "")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    io_runs = [r for r in runs if r.get("io")]
    if io_runs:
        out += ["", "| s (peak RSS MB) | " + " | ".join(f"{r['db']} {r['size']}" for r in io_runs) + " |",
                "|---" * (len(io_runs) + 1) + "|"]
        for name in dict.fromkeys(n for r in io_runs for n in r["io"]):
            cells = []
            for r in io_runs:
                x = r["io"].get(name, {})
                cells.append(f"{x['seconds']:.2f} ({x['peak_rss_mb']:.0f})" if "seconds" in x else "n/a")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        for label, a, b in (("vCard import / vobject parse", "import vcard", "floor vobject parse (import file)"),
                            ("vCard export / vobject serialise", "export vcard", "floor vobject serialise (export's cards)"),
                            ("feed / icalendar build+serialise", "export feed", "floor icalendar (feed's events)")):
            cells = []
            for r in io_runs:
                q = ratio(r["io"].get(a, {}).get("seconds"), r["io"].get(b, {}).get("seconds"))
                cells.append(f"{q:.2f}x" if q else "n/a")
            out.append(f"| **{label}** | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", nargs="+", metavar="JSON", help="print README tables from earlier results")
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("TRACKER_TEST_DATABASE_URL") or DEFAULT_PG)
    parser.add_argument("--runs", type=int, default=30, help="requests per page, in-process")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--skip", default="", help="comma list of phases to skip: http, io")
    parser.add_argument("--vcards", type=int, default=10_000)
    parser.add_argument("--linkedin-rows", type=int, default=30_000)
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    args = parser.parse_args()
    if args.report:
        print(markdown([run for path in args.report for run in json.loads(Path(path).read_text())]))
        return
    skip = set(filter(None, args.skip.split(",")))
    workers = [int(w) for w in args.workers.split(",")]

    runs = []
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    try:
        for engine in args.db.split(","):
            for size in args.sizes.split(","):
                instance = folder / f"{engine}-{size}"
                instance.mkdir()
                url = database_url(engine, size, folder, args.pg_url)
                app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False},
                                 instance=instance)
                with app.app_context():
                    from tracker.services.database import upgrade_database

                    upgrade_database()
                    db.engine.dispose()
                print(f"{engine} {size}: building ...", flush=True)
                built = build(app, size, clock.today("Europe/Berlin"))
                run = {"db": engine, "size": size, "contacts": built.contacts, "touchpoints": built.touchpoints,
                       "build_s": built.seconds, "rates": built.rates, "load_avg": os.getloadavg()[0]}
                print(f"{engine} {size}: in-process latency ...", flush=True)
                run["latency"] = in_process(app, built, args.runs)
                run["floors"] = {"dashboard due-list SQL": dashboard_floor(app, built.user_id, args.runs)}
                with app.app_context():
                    db.engine.dispose()
                if "http" not in skip:
                    print(f"{engine} {size}: HTTP ...", flush=True)
                    run["http"] = over_http(url, instance, built, workers, args.duration)
                if "io" not in skip:
                    print(f"{engine} {size}: imports and exports ...", flush=True)
                    run["io"] = imports_and_exports(url, instance, built, folder, args.vcards, args.linkedin_rows)
                runs.append(run)
                print("\n".join(summarise(run)), flush=True)
                (out_dir / f"bench-{stamp}.json").write_text(json.dumps(runs, indent=1, default=str))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; results in {out_dir / f'bench-{stamp}.json'}")
    for run in runs:
        print("\n".join(summarise(run)))


if __name__ == "__main__":
    main()
