"""Over HTTP for tests/perf/bench.py: `tracker serve` in each gunicorn mode under wrk.

wrk runs with --timeout 30s (longer than any answer here), so a slow answer lands in the
percentiles instead of being dropped; any timeout, socket error or non-2xx/3xx answer is
counted as an error and fails the run. Each worker's CPU seconds are read from /proc before
and after, which shows whether the connections were spread over both workers.

The total CPU a request costs on this machine, per page: the app's workers (and gunicorn's
master), the PostgreSQL server processes serving the bench database (from /proc, by the pids
pg_stat_activity names for it) and wrk itself (the CPU of the finished child, getrusage), each
over the requests wrk completed. On 2 cores, 16 connections wait for each other's CPU: that
sum, not the app's share alone, is what decides the p99.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.perf.bench_data import EMAIL, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WRK_TIMEOUT = "30s"
USER_AGENT = "tracker-bench"  # what wrk/session.lua sends
MODES = {  # name: extra `tracker serve` arguments (2 workers each)
    "default": [],  # the command's own defaults (tracker/cli/server.py): 2 threads, no keep-alive
    "sync": ["--threads", "1"],
    "gthread": ["--threads", "4", "--keepalive", "2"],
    "gthread no keep-alive": ["--threads", "4", "--keepalive", "0"],
}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, instance: Path, args: list[str], code: str | None = None,
                 env: dict | None = None, probe: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`tracker serve` with 2 workers (unless args say otherwise) from this checkout, or from
    the checkout `code` (to compare a branch with main side by side); with `probe` (a folder),
    through tests/perf/serve_probe.py, which writes each worker's breakdown there."""
    port = free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-shared-secret",
           "TRACKER_INSTANCE": str(instance), **(env or {})}
    if code:
        env["PYTHONPATH"] = code
    command = [sys.executable, "-m", "tracker"]
    if probe is not None:
        env.update(TRACKER_PROBE_DIR=str(probe), PYTHONPATH=code or str(ROOT))
        command = [sys.executable, str(ROOT / "tests" / "perf" / "serve_probe.py")]
    workers = [] if "--workers" in args else ["--workers", "2"]
    proc = subprocess.Popen([*command, "serve", *workers, "--port", str(port), *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=code or ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"tracker serve {args} exited")
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


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of one process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds (user + system) of each of the master's child processes."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return {}
    out = {}
    for pid in map(int, children):
        if (cpu := process_cpu(pid)) is not None:
            out[pid] = cpu
    return out


class DatabaseServer:
    """The CPU of the PostgreSQL server processes that serve one database (same machine only:
    read from /proc); nothing for SQLite, which runs inside the workers."""

    def __init__(self, url: str):
        import sqlalchemy as sa

        self.engine = None
        if url.startswith("postgresql"):
            self.name = sa.engine.make_url(url).database
            self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def cpu(self) -> dict[int, float]:
        if self.engine is None:
            return {}
        import sqlalchemy as sa

        with self.engine.connect() as c:
            pids = c.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
                             {"n": self.name}).scalars().all()
        return {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes spent between two readings (a process new since counts whole)."""
    return sum(after[p] - before.get(p, 0.0) for p in after)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_cookie(base: str) -> str:
    """Sign in through the real form with urllib; returns the Cookie header value.

    Redirects are not followed, and the dashboard must then answer 200 with the cookie: wrk
    counts a 302 as a success, so a session that did not take would otherwise measure the
    login page's redirect instead of the pages.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    # wrk's User-Agent (wrk/session.lua): Flask-Login's session protection hashes it into the
    # session, and a different one at sign-in marked each of wrk's requests "not fresh" again,
    # so every answer wrote a new session cookie (wrk keeps sending the first), which a
    # browser does once.
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    try:
        opener.open(base + "/login", data=urllib.parse.urlencode(
            {"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()).read()
    except urllib.error.HTTPError as e:  # the 302 after a successful sign-in
        if e.code != 302:
            raise
    # A first page as a browser would see it: the session gains its CSRF token (signing in
    # starts a new session), and the browser keeps the cookie that carries it.
    opener.open(base + "/").read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(base + "/", headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    try:
        answer = urllib.request.build_opener(_NoRedirect).open(check)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"signed-in dashboard answered {e.code} ({e.headers.get('Location')}); cookie {cookie[:40]}")
    assert answer.status == 200 and "session=" in cookie, (answer.status, cookie)
    # wrk sends this cookie as it is: an answer that rewrote it would do so on every request
    # (signing and writing the session each time, which a browser's requests do not).
    assert answer.headers.get("Set-Cookie") is None, answer.headers.get("Set-Cookie")
    return cookie


def run_wrk(url: str, cookie: str, duration: int, connections: int) -> dict:
    """wrk's figures, and `wrk_cpu_s`: wrk's own CPU (it shares the machine with the server)."""
    script = ROOT / "tests" / "perf" / "wrk" / "session.lua"
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
                          "--timeout", WRK_TIMEOUT, "--latency", "-s", str(script), url],
                         env={**os.environ, "TRACKER_COOKIE": cookie}, capture_output=True, text=True,
                         check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"wrk_cpu_s": after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime,"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for q in ("50", "99"):
        m = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        result[f"p{q}_ms"] = float(m.group(1)) * _UNITS[m.group(2)] if m else None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    result["timeouts"] = int(socket_errors.group(4)) if socket_errors else 0
    return result


def measure(url: str, instance: Path, paths: dict[str, str], duration: int, modes: list[str],
            connections: tuple[int, ...] = (16,), log=print, code: str | None = None, env: dict | None = None,
            warmup: int = 2, probe: Path | None = None) -> dict:
    """{mode: {page: {connections: wrk result + per-worker CPU s + CPU ms per request}}}.

    `cpu_ms`: {"app": workers and master, "db": the PostgreSQL server, "wrk": wrk, "total"},
    each CPU ms per completed request. Each page first gets `warmup` seconds of wrk at the most
    connections, not measured: every pooled connection has then run the page's statements
    often enough for psycopg to prepare them (the 5th run on a connection) and PostgreSQL to
    settle on its plans (after 5 custom ones), as in a server that has been up a while.

    With `probe` (a folder): served through tests/perf/serve_probe.py, and each result gains
    `probe`, where the workers' CPU per request went (probe_breakdown)."""
    results: dict = {}
    server = DatabaseServer(url)
    try:
        for mode in modes:
            proc, base = start_server(url, instance, MODES[mode], code, env, probe)
            try:
                cookie = login_cookie(base)
                for name, path in paths.items():
                    if warmup > 0:
                        run_wrk(base + path, cookie, warmup, max(connections))
                    for c in connections:
                        epoch = start_probe(probe) if probe is not None else None
                        before, master, db_before = worker_cpu(proc.pid), process_cpu(proc.pid), server.cpu()
                        r = run_wrk(base + path, cookie, duration, c)
                        if probe is not None:
                            r["probe"] = probe_breakdown(probe, epoch, settle=0.3)
                        after, db_after = worker_cpu(proc.pid), server.cpu()
                        r["worker_cpu_s"] = sorted((round(after[p] - before.get(p, 0.0), 2) for p in after),
                                                   reverse=True)
                        r["cpu_ms"] = per_request(cpu_spent(before, after) + (process_cpu(proc.pid) or 0) - (master or 0),
                                                  cpu_spent(db_before, db_after), r["wrk_cpu_s"], r["requests"])
                        results.setdefault(mode, {}).setdefault(name, {})[c] = r
                        log(f"    wrk [{mode}] {name} c={c}: {r}")
            finally:
                stop_server(proc)
    finally:
        server.dispose()
    return results


def per_request(app_s: float, db_s: float, wrk_s: float, requests: int) -> dict[str, float | None]:
    """CPU ms per request of each part and in all (None without a request)."""
    if not requests:
        return {"app": None, "db": None, "wrk": None, "total": None}
    parts = {"app": app_s, "db": db_s, "wrk": wrk_s}
    out = {k: round(v * 1000 / requests, 2) for k, v in parts.items()}
    out["total"] = round(sum(parts.values()) * 1000 / requests, 2)
    return out


def start_probe(folder: Path) -> int:
    """Tell the probed workers (serve_probe.py) to count afresh from their next answer."""
    marker = folder / "reset"
    marker.write_text(str(time.time_ns()))
    time.sleep(0.01)
    return marker.stat().st_mtime_ns


def probe_breakdown(folder: Path, epoch: int, settle: float = 0.0) -> dict | None:
    """The workers' probes since `epoch`, combined (weighted by each worker's requests): CPU ms
    per request in Flask (mean and the busier worker's median), gunicorn's handling around it,
    the access log line, the collector, and each kind of thread."""
    time.sleep(settle)  # the workers' last writes
    probes = []
    for path in folder.glob("probe.*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("epoch") == epoch and data["requests"]:
            probes.append(data)
    total = sum(p["requests"] for p in probes)
    if not total:
        return None
    mean = lambda key: round(sum(p[key] * p["requests"] for p in probes) / total, 3)  # noqa: E731
    threads: dict[str, float] = {}
    for p in probes:
        for kind, ms in p["threads_ms"].items():
            threads[kind] = threads.get(kind, 0.0) + ms * p["requests"] / total
    return {"requests": total, "process_ms": mean("process_ms"), "flask_ms": mean("flask_ms"),
            "flask_median_ms": max(probes, key=lambda p: p["requests"])["flask_median_ms"],
            "handle_ms": mean("handle_ms"), "access_log_ms": mean("access_log_ms"), "gc_ms": mean("gc_ms"),
            "collections": [sum(p["collections"][g] for p in probes) for g in range(3)],
            "threads_ms": {k: round(v, 3) for k, v in threads.items()}}
