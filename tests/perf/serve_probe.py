"""`tracker serve` with a measuring probe in each worker: where a served request's CPU goes.

    TRACKER_PROBE_DIR=/tmp/probe python tests/perf/serve_probe.py serve --workers 2 ...

Run as a script (not -m) so that PYTHONPATH picks the checkout being measured: it imports
only `tracker` and the standard library. In each worker, after tracker's own post-fork set-up,
it counts per request, in thread CPU time (time.thread_time, so other threads and processes
do not count): Flask's whole WSGI call (`flask`), gunicorn's handling of the connection around
it (`handle`: parsing, the environ, writing the answer, the close, the access log), the
access-log line alone (`access_log`), the collector's passes (`gc`, from gc.callbacks); and
each thread's CPU from /proc (the main loop: accept and hand-off; the request threads; the
scheduler). The counts start again whenever the file TRACKER_PROBE_DIR/reset changes (the
bench touches it before each measured wrk run; the answers before it are not counted); every
25 requests each worker writes probe.<pid>.json there, tagged with that file's mtime, which
tests/perf/bench_serve.py --breakdown reads.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

def _threads() -> dict[str, float]:
    """CPU seconds of each of this process's threads, by 'name tid'."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path(f"/proc/{os.getpid()}/task").glob("*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        out[f"{text[text.index('(') + 1:text.rindex(')')]} {stat.parent.name}"] = (int(fields[11]) + int(fields[12])) / tick
    return out


def install(app) -> None:
    from gunicorn.glogging import Logger

    from tracker.cli import gunicorn_worker

    folder = Path(os.environ["TRACKER_PROBE_DIR"])
    lock = threading.Lock()
    stats: dict = {"epoch": None}
    names = {}
    marker = folder / "reset"

    def reset(epoch) -> None:
        stats.update(epoch=epoch, n=0, flask=[], handle=0.0, access_log=0.0, gc=0.0, collections=[0, 0, 0])
        stats["threads0"], stats["process0"] = _threads(), time.process_time()

    def dump() -> None:
        n = stats["n"]
        threads = _threads()
        per_thread = {}
        for key, cpu in threads.items():
            tid = int(key.rsplit(" ", 1)[1])
            kind = names.get(tid) or ("main loop" if tid == os.getpid() else "other threads")  # the scheduler's
            per_thread[kind] = per_thread.get(kind, 0.0) + cpu - stats["threads0"].get(key, 0.0)
        flask = stats["flask"]
        out = {"epoch": stats["epoch"], "requests": n, "process_ms": (time.process_time() - stats["process0"]) * 1000 / n,
               "flask_ms": sum(flask) * 1000 / n, "flask_median_ms": statistics.median(flask) * 1000,
               "handle_ms": stats["handle"] * 1000 / n, "access_log_ms": stats["access_log"] * 1000 / n,
               "gc_ms": stats["gc"] * 1000 / n, "collections": stats["collections"],
               "threads_ms": {k: round(v * 1000 / n, 3) for k, v in sorted(per_thread.items())}}
        (folder / f"probe.{os.getpid()}.json").write_text(json.dumps(out))

    inner = app.wsgi_app

    def wsgi(environ, start_response):
        started = time.thread_time()
        try:
            return inner(environ, start_response)
        finally:
            spent = time.thread_time() - started
            try:
                epoch = marker.stat().st_mtime_ns
            except OSError:
                epoch = None
            with lock:
                if epoch != stats["epoch"]:
                    reset(epoch)  # this answer belongs to the run before
                elif epoch is not None:
                    stats["n"] += 1
                    stats["flask"].append(spent)
                    if stats["n"] % 25 == 0:
                        dump()

    app.wsgi_app = wsgi
    handle = gunicorn_worker.ThreadWorker.handle

    def timed_handle(self, conn):
        names.setdefault(threading.get_native_id(), "request threads")
        started = time.thread_time()
        try:
            return handle(self, conn)
        finally:
            stats["handle"] = stats.get("handle", 0.0) + time.thread_time() - started

    gunicorn_worker.ThreadWorker.handle = timed_handle
    access = Logger.access

    def timed_access(self, *args, **kwargs):
        started = time.thread_time()
        try:
            return access(self, *args, **kwargs)
        finally:
            stats["access_log"] = stats.get("access_log", 0.0) + time.thread_time() - started

    Logger.access = timed_access
    gc_started = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            gc_started[0] = time.thread_time()
        else:
            stats["gc"] = stats.get("gc", 0.0) + time.thread_time() - gc_started[0]
            if "collections" in stats:
                stats["collections"][info["generation"]] += 1

    gc.callbacks.append(on_gc)


def main() -> None:
    from tracker.cli import server

    in_worker = server._in_worker

    def probed(app) -> None:
        in_worker(app)
        install(app)

    server._in_worker = probed
    from tracker.cli import main as tracker_main

    sys.argv = ["tracker", *sys.argv[1:]]
    tracker_main()


if __name__ == "__main__":
    main()
