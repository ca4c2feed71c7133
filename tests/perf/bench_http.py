"""Over HTTP for tests/perf/bench.py: `tracker serve` in each gunicorn mode under wrk.

wrk runs with --timeout 30s (longer than any answer here), so a slow answer lands in the
percentiles instead of being dropped; any timeout, socket error or non-2xx/3xx answer is
counted as an error and fails the run. Each worker's CPU seconds are read from /proc before
and after, which shows whether the connections were spread over both workers.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
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
MODES = {  # name: extra `tracker serve` arguments (2 workers each)
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


def start_server(url: str, instance: Path, args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-shared-secret",
           "TRACKER_INSTANCE": str(instance)}
    proc = subprocess.Popen([sys.executable, "-m", "tracker", "serve", "--workers", "2", "--port", str(port), *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
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


def worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds (user + system) of each of the master's child processes."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return {}
    out = {}
    for pid in map(int, children):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    return out


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
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    try:
        opener.open(base + "/login", data=urllib.parse.urlencode(
            {"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()).read()
    except urllib.error.HTTPError as e:  # the 302 after a successful sign-in
        if e.code != 302:
            raise
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(base + "/", headers={"Cookie": cookie})
    try:
        status = urllib.request.build_opener(_NoRedirect).open(check).status
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"signed-in dashboard answered {e.code} ({e.headers.get('Location')}); cookie {cookie[:40]}")
    assert status == 200 and "session=" in cookie, (status, cookie)
    return cookie


def run_wrk(url: str, cookie: str, duration: int, connections: int) -> dict:
    script = ROOT / "tests" / "perf" / "wrk" / "session.lua"
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
                          "--timeout", WRK_TIMEOUT, "--latency", "-s", str(script), url],
                         env={**os.environ, "TRACKER_COOKIE": cookie}, capture_output=True, text=True,
                         check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
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
            connections: tuple[int, ...] = (16,), log=print) -> dict:
    """{mode: {page: {connections: wrk result + per-worker CPU s}}}."""
    results: dict = {}
    for mode in modes:
        proc, base = start_server(url, instance, MODES[mode])
        try:
            cookie = login_cookie(base)
            for name, path in paths.items():
                for c in connections:
                    before = worker_cpu(proc.pid)
                    r = run_wrk(base + path, cookie, duration, c)
                    after = worker_cpu(proc.pid)
                    r["worker_cpu_s"] = sorted((round(after[p] - before.get(p, 0.0), 2) for p in after), reverse=True)
                    results.setdefault(mode, {}).setdefault(name, {})[c] = r
                    log(f"    wrk [{mode}] {name} c={c}: {r}")
        finally:
            stop_server(proc)
    return results
