"""The PostgreSQL server's CPU for one page's statements, side by side for several source trees:
each tree's app serves the page (signed in, a few times to warm up) and its statements are
caught as they ran; then one process replays every tree's statements in turn, one transaction
per replay on a connection of tracker's own kind (tracker.postgres: prepared after five runs,
read-only transactions ended by COMMIT), and reads each connection's backend CPU from /proc.

Only the statements run, not the app: the server's side of a page alone, alternating trees
round by round, so a loaded machine moves both the same (pg_pages.py measures whole requests,
whose server figures move with everything else the app does between statements).

    python -m tests.perf.pg_replay postgresql+psycopg://postgres:tracker@127.0.0.1/COPY-OF-L \\
        --tree main=/path/to/main-checkout --tree now=$PWD --page "contacts search" --runs 100 --rounds 8
"""
from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time


def capture(url: str, page: str, out: str) -> None:
    """Serve `page` of the account at `url` with this process's tree; pickle its statements."""
    from sqlalchemy import event

    from tests.perf.pg_pages import open_account

    client, urls, _, engine = open_account(url, page)
    for _ in range(3):
        assert client.get(urls[page]).status_code == 200
    seen: list = []
    listener = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(urls[page])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    with open(out, "wb") as f:
        pickle.dump(seen, f)
    engine.dispose()


def _ticks(pid: int) -> int:
    """User + system CPU of a process, in clock ticks."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _replay(connection, statements) -> None:
    cursor = connection.cursor()
    for sql, params in statements:
        cursor.execute(sql, params)
        if cursor.description is not None:
            cursor.fetchall()
    connection.rollback()  # a COMMIT when it only read (tracker.postgres)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="PostgreSQL URL of a benchmark account (a copy: pages may write)")
    parser.add_argument("--page", required=True, help="a page name of bench_pages.pages")
    parser.add_argument("--tree", action="append", required=True, metavar="LABEL=PATH",
                        help="a source tree to capture the page's statements with (PYTHONPATH)")
    parser.add_argument("--runs", type=int, default=100, help="replays per round and tree")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--capture", help=argparse.SUPPRESS)  # internal: the child's output file
    args = parser.parse_args()
    if args.capture:
        capture(args.url, args.page, args.capture)
        return
    from tracker.postgres import connect

    folder = tempfile.mkdtemp()
    trees = []
    for spec in args.tree:
        label, path = spec.split("=", 1)
        out = os.path.join(folder, f"{label}.pickle")
        # This file run by its path: an older tree may not have it, only what capture() imports.
        subprocess.run([sys.executable, os.path.abspath(__file__), args.url, "--page", args.page,
                        "--tree", spec, "--capture", out], check=True, cwd=path or None,
                       env={**os.environ, "PYTHONPATH": path or os.getcwd()})
        with open(out, "rb") as f:
            trees.append((label, pickle.load(f)))
    dsn = args.url.replace("postgresql+psycopg://", "postgresql://")
    connections = [connect(dsn) for _ in trees]
    for connection, (_, statements) in zip(connections, trees):
        for _ in range(20):  # prepared, and PostgreSQL's plan choice settled
            _replay(connection, statements)
    hz = os.sysconf("SC_CLK_TCK")
    server = {label: [] for label, _ in trees}
    client = {label: [] for label, _ in trees}
    for _ in range(args.rounds):
        for connection, (label, statements) in zip(connections, trees):
            pid, ticks, started = connection.info.backend_pid, 0, time.process_time()
            ticks = _ticks(pid)
            for _ in range(args.runs):
                _replay(connection, statements)
            server[label].append((_ticks(pid) - ticks) / hz * 1000 / args.runs)
            client[label].append((time.process_time() - started) * 1000 / args.runs)
    print(f"{args.page}: load average {os.getloadavg()[0]:.1f}; server CPU ms per replay (median of {args.rounds} "
          f"rounds of {args.runs}), the replaying client's CPU")
    for label, statements in trees:
        rounds = " ".join(f"{x:.2f}" for x in server[label])
        print(f"  {label:12s} {len(statements)} statements  server {statistics.median(server[label]):.2f}  "
              f"[{rounds}]  client {statistics.median(client[label]):.2f}")
    for connection in connections:
        connection.close()


if __name__ == "__main__":
    main()
