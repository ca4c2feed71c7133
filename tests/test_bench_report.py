"""The benchmark's summary must not let a slow answer pass unseen (issue 17)."""
from tests.perf import bench


def _run(size: str, **result) -> dict:
    r = {"rps": 10.0, "requests": 80, "p50_ms": 20.0, "p99_ms": 40.0, "errors": 0, "timeouts": 0,
         "worker_cpu_s": [1.0, 1.0], **result}
    return {"db": "sqlite", "size": size, "http": {bench.DEFAULT_MODE: {"contact": {"16": r}}}}


def test_a_run_in_which_no_answer_arrived_is_a_miss_at_any_size():
    _, missed = bench.http_table(_run("T", rps=0.0, requests=0, p50_ms=None, p99_ms=None))
    assert missed == ["sqlite HTTP contact c=16: no answer within the run"]


def test_errors_and_a_slow_p99_at_m_are_misses_and_a_good_run_is_not():
    assert bench.http_table(_run("M"))[1] == []
    _, missed = bench.http_table(_run("M", p99_ms=151.0, errors=2, timeouts=1))
    assert missed == ["sqlite HTTP contact c=16: 2 errors (1 timeouts)", "sqlite HTTP contact c=16: p99 > 150 ms"]


def test_two_runs_at_once_get_their_own_postgresql_databases():
    """Fixed names let a second PostgreSQL run drop the first one's database mid-measurement."""
    import os
    import subprocess
    import sys

    here = bench.run_tag()
    # Another process started in the same second: another tag.
    other = subprocess.run([sys.executable, "-c", "from tests.perf import bench; print(bench.run_tag())"],
                           capture_output=True, text=True, check=True, env={**os.environ}).stdout.strip()
    assert here != other
    names = {bench.pg_database_name(size, tag) for size in ("S", "L") for tag in (here, other)}
    assert len(names) == 4
    # PostgreSQL identifiers: unquoted, lower case, at most 63 bytes.
    assert all(n == n.lower() and n.replace("_", "").isalnum() and len(n) <= 63 for n in names)


def test_over_http_each_page_shows_the_total_cpu_per_request():
    """The app's workers, the database server and wrk share the 2 cores: their sum per request."""
    from tests.perf import bench_http

    cpu = bench_http.per_request(app_s=0.9, db_s=0.6, wrk_s=0.05, requests=100)
    assert cpu == {"app": 9.0, "db": 6.0, "wrk": 0.5, "total": 15.5}
    assert bench_http.per_request(1.0, 0.0, 0.1, 0)["total"] is None
    lines, _ = bench.http_table(_run("M", cpu_ms=cpu))
    assert lines[-1].rstrip().endswith("9.0 + 6.0 + 0.5 = 15.5")
    # Results written before the figure existed still print.
    assert bench.http_table(_run("M"))[0][-1].rstrip().endswith("[1.0, 1.0]")


def test_cpu_spent_counts_a_process_that_appeared_during_the_run_whole():
    from tests.perf import bench_http

    assert bench_http.cpu_spent({1: 2.0, 2: 1.0}, {1: 2.5, 2: 1.0, 3: 0.25}) == 0.75


def test_in_process_pages_are_measured_in_rounds_over_every_account(databases, tmp_path):
    """Every account's pages in each round, in turn (a drift of the machine's load during the
    run then moves S and L alike); the figure is the median of the rounds' medians."""
    import statistics

    from flask import request

    from tests.perf import bench_pages
    from tests.perf.bench_data import build
    from tracker import clock, create_app
    from tracker.extensions import db

    targets, seen = [], []
    for k in range(2):
        url = databases.fresh()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}, instance=tmp_path / str(k))
        app.before_request(lambda k=k: seen.append((k, request.full_path)))
        targets.append((app, build(app, "T", clock.today("Europe/Berlin"), log=lambda *a: None)))
    results = bench_pages.measure_many(targets, runs=4, rounds=2)
    urls = [r["url"] for r in results[0].values()]
    # The last 2 rounds x 2 accounts x pages x 2 requests, in that order: round, account, page.
    timed = seen[-2 * 2 * len(urls) * 2:]
    expected = [(k, url) for _ in range(2) for k in range(2) for url in urls for _ in range(2)]
    path = lambda pairs: [(k, u.split("?")[0]) for k, u in pairs]  # noqa: E731  (cursors differ per account)
    assert path(timed) == path(expected)
    for result in results:
        assert len(result) == len(urls) >= 16
        for page in result.values():
            assert len(page["cpu_rounds"]) == 2
            assert page["cpu_ms"] == statistics.median(page["cpu_rounds"])
            assert page["statements"] >= 1 and page["kb"] > 0
    for app, _ in targets:
        with app.app_context():
            db.engine.dispose()


def test_each_account_is_measured_in_a_process_of_its_own_in_the_same_rounds(databases, tmp_path):
    """bench.py's default layout: one child process per account (several apps in one process
    made every page dearer), still driven round by round, one account at a time."""
    import os
    import statistics

    from tests.perf import bench_apart
    from tests.perf.bench_data import build
    from tracker import clock, create_app
    from tracker.extensions import db

    accounts = []
    for k in range(2):
        url = databases.fresh()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}, instance=tmp_path / str(k))
        built = build(app, "T", clock.today("Europe/Berlin"), log=lambda *a: None)
        with app.app_context():
            db.engine.dispose()
        accounts.append(bench_apart.spec(url, tmp_path / str(k), built, floor_runs=2 if k == 0 else 0))
    results = bench_apart.measure_apart(accounts, runs=4, rounds=3)
    pids = {r["pid"] for r in results}
    assert len(pids) == 2 and os.getpid() not in pids
    # Rounds in lockstep: account 0's round r, then account 1's, then account 0's round r + 1.
    spans = [span for r in range(3) for span in (results[0]["spans"][r], results[1]["spans"][r])]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans
    for result in results:
        assert len(result["pages"]) >= 16
        for page in result["pages"].values():
            assert len(page["cpu_rounds"]) == 3
            assert page["cpu_ms"] == statistics.median(page["cpu_rounds"])
            assert page["statements"] >= 1 and page["kb"] > 0
    assert results[0]["floor"]["rows"] > 0 and results[1]["floor"] is None


def test_the_served_breakdown_combines_the_workers_of_one_run_only(tmp_path):
    """bench_serve --breakdown: each worker's probe weighs by its requests; a probe left from an
    earlier run (another epoch) is not counted."""
    import json

    from tests.perf import bench_http

    def probe(pid, epoch, requests, flask, threads):
        (tmp_path / f"probe.{pid}.json").write_text(json.dumps({
            "epoch": epoch, "requests": requests, "process_ms": flask + 1, "flask_ms": flask,
            "flask_median_ms": flask - 0.5, "handle_ms": flask + 0.5, "access_log_ms": 0.1, "gc_ms": 0.0,
            "collections": [1, 0, 0], "threads_ms": threads}))

    probe(1, 7, 300, 6.0, {"main loop": 0.2, "request threads": 6.5})
    probe(2, 7, 100, 10.0, {"main loop": 0.6, "request threads": 10.5})
    probe(3, 6, 999, 50.0, {"main loop": 9.0})
    got = bench_http.probe_breakdown(tmp_path, 7)
    assert got["requests"] == 400
    assert got["flask_ms"] == 7.0 and got["process_ms"] == 8.0 and got["handle_ms"] == 7.5
    assert got["flask_median_ms"] == 5.5  # the busier worker's
    assert got["threads_ms"] == {"main loop": 0.3, "request threads": 7.5}
    assert got["collections"] == [2, 0, 0]
    assert bench_http.probe_breakdown(tmp_path, 8) is None
