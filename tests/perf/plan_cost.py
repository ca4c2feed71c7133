"""What PostgreSQL spends planning each page's statements (issue 17), on a benchmark account.

For each page of the benchmark (tests/perf/bench_pages.pages) it requests the page `--runs`
times in-process, then reads on the connection that served them PostgreSQL's
pg_prepared_statements (psycopg prepares a statement after `prepare_threshold` executions:
how many generic and custom plans each got), and times every statement of the page with
EXPLAIN (ANALYZE, BUFFERS, SUMMARY): planning ms and execution ms, medians of `--repeat`.

    python -m tests.perf.plan_cost postgresql+psycopg://postgres:tracker@127.0.0.1/tracker_bench_l
    python -m tests.perf.plan_cost URL --pages dashboard,"company page" --plans
    python -m tests.perf.plan_cost URL --pages "opportunities board" --generic

`--cpu N` runs each statement N times as the page does (prepared by psycopg, on one connection)
and prints the CPU one run costs the database server (the backend's, from /proc) and this
process (psycopg and the driver, no SQLAlchemy): where a page's server CPU goes, statement by
statement, without EXPLAIN's instrumentation.

`--generic` also runs each statement PREPAREd, under plan_cache_mode force_custom_plan and
force_generic_plan (EXPLAIN ANALYZE EXECUTE, medians of `--repeat` after one run to build the
generic plan): whether a page may run on generic plans without a slower execution.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import statistics

from psycopg.sql import Literal
from sqlalchemy import event

from tests.perf.bench_pages import _backend_cpu
from tests.perf.pg_pages import open_account


def _shape(sql: str) -> str:
    """A statement as the app writes it (%(name)s) and as the server holds it ($1): the same."""
    return " ".join(re.sub(r"%\([^)]*\)s|\$\d+", "?", sql).split())


def explain(connection, statement: str, params, repeat: int) -> tuple[float, float, str]:
    """(median planning ms, median execution ms, the plan's top line) of one statement."""
    planning, execution, top = [], [], ""
    for _ in range(repeat):
        (doc,) = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, SUMMARY, FORMAT JSON) " + statement,
                                            params).one()
        doc = doc if isinstance(doc, list) else json.loads(doc)
        planning.append(doc[0]["Planning Time"])
        execution.append(doc[0]["Execution Time"])
        top = doc[0]["Plan"]["Node Type"]
    return statistics.median(planning), statistics.median(execution), top


def _numbered(statement: str) -> tuple[str, list[str]]:
    """The statement with psycopg's %(name)s placeholders as $1, $2 ... (a name used twice is
    one number) and the names in their numbers' order: what PREPARE takes."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return re.sub(r"%\(([^)]*)\)s", number, statement).replace("%%", "%"), names


def explain_prepared(connection, statement: str, params, repeat: int) -> dict[str, tuple[float, float, str]]:
    """{"custom": (planning ms, execution ms, plan), "generic": (...)} of `statement` PREPAREd
    and run by EXECUTE under each plan_cache_mode (medians of `repeat`, after one run that
    builds the plan; the plan as EXPLAIN's text)."""
    sql, names = _numbered(statement)
    values = tuple(params[n] for n in names) if isinstance(params, dict) else tuple(params or ())
    connection.exec_driver_sql("DEALLOCATE ALL")
    connection.exec_driver_sql(f"PREPARE plan_cost_probe AS {sql}")
    # The values as SQL literals (EXECUTE's arguments take their parameter's type; bound, a
    # text value would reach the server untyped inside EXPLAIN and be refused).
    raw = connection.connection.driver_connection
    arguments = "(" + ", ".join(Literal(v).as_string(raw).replace("%", "%%") for v in values) + ")" if values else ""
    out = {}
    for mode in ("custom", "generic"):
        connection.exec_driver_sql(f"SET plan_cache_mode = force_{mode}_plan")
        planning, execution = [], []
        for i in range(repeat + 1):
            (doc,) = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS, SUMMARY, FORMAT JSON) EXECUTE plan_cost_probe{arguments}").one()
            doc = doc if isinstance(doc, list) else json.loads(doc)
            if i:
                planning.append(doc[0].get("Planning Time", 0.0))
                execution.append(doc[0]["Execution Time"])
        text = "\n".join(row[0] for row in connection.exec_driver_sql(
            f"EXPLAIN EXECUTE plan_cost_probe{arguments}"))
        out[mode] = (statistics.median(planning), statistics.median(execution), text)
    connection.exec_driver_sql("RESET plan_cache_mode")
    connection.exec_driver_sql("DEALLOCATE plan_cost_probe")
    return out


def statement_cpu(connection, statement: str, params, runs: int) -> tuple[float, float]:
    """(the server's CPU ms, this process's CPU ms) of one run of `statement`: the mean of `runs`
    runs of it prepared (psycopg's prepare=True), after 10 unmeasured ones in which the server's
    plan cache settles on a generic or a custom plan as it does for the page (after 5)."""
    raw = connection.connection.driver_connection
    backend, cursor = {raw.info.backend_pid}, raw.cursor()

    def run() -> None:
        cursor.execute(statement, params, prepare=True)
        cursor.fetchall()

    for _ in range(10):
        run()
    server, here = _backend_cpu(backend), resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(runs):
        run()
    after = resource.getrusage(resource.RUSAGE_SELF)
    client = (after.ru_utime + after.ru_stime) - (here.ru_utime + here.ru_stime)
    return (_backend_cpu(backend) - server) * 1000 / runs, client * 1000 / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="PostgreSQL URL of a benchmark account")
    parser.add_argument("--pages", help="page names (bench_pages.pages), separated by commas or semicolons; default all")
    parser.add_argument("--runs", type=int, default=12, help="requests per page before reading the plan cache")
    parser.add_argument("--repeat", type=int, default=5, help="EXPLAIN ANALYZE runs per statement")
    parser.add_argument("--plans", action="store_true", help="print each statement's text")
    parser.add_argument("--paths", nargs="+", default=[], help="more pages by their paths, e.g. '/followups/?due=week'")
    parser.add_argument("--cpu", type=int, default=0, metavar="RUNS",
                        help="also each statement's CPU a run, the server's and psycopg's, over RUNS runs")
    parser.add_argument("--generic", action="store_true",
                        help="also each statement prepared: custom against generic plans (planning, execution)")
    args = parser.parse_args()
    client, urls, wanted, engine = open_account(args.url, args.pages)
    if args.paths:  # addresses of the account's pages beyond the benchmark's
        urls.update({path: path for path in args.paths})
        wanted = (wanted if args.pages else []) + args.paths
    seen: list[tuple[str, object]] = []
    listener = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    totals = {}
    for name in wanted:
        url = urls[name]
        engine.dispose()
        for _ in range(args.runs):
            assert client.get(url).status_code == 200
        seen.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        with engine.connect() as c:
            cache = {_shape(s): (g, cu) for s, g, cu in c.exec_driver_sql(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")}
            print(f"== {name} ({url}): {len(seen)} statements, {len(cache)} prepared on this connection")
            plan_sum = exec_sum = 0.0
            for statement, params in seen:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH", "(")):
                    continue
                p, e, top = explain(c, statement, params, args.repeat)
                plan_sum += p
                exec_sum += e
                head = " ".join(statement.split())[:60]
                generic, custom = cache.get(_shape(statement), ("-", "-"))
                print(f"  plan {p:6.2f}  exec {e:6.2f}  generic {generic!s:>3} custom {custom!s:>3}  {top:<14} "
                      f"{head}")
                if args.cpu:
                    server, client_ms = statement_cpu(c, statement, params, args.cpu)
                    print(f"      CPU a run: server {server:.3f} ms, psycopg {client_ms:.3f} ms")
                if args.generic:
                    both = explain_prepared(c, statement, params, args.repeat)
                    (cp, ce, cplan), (gp, ge, gplan) = both["custom"], both["generic"]
                    print(f"      prepared: custom plan {cp:6.2f} exec {ce:6.2f} | generic plan {gp:6.2f} exec {ge:6.2f}")
                    if args.plans:
                        for mode, plan in (("custom", cplan), ("generic", gplan)):
                            print(f"      -- {mode}:\n" + "\n".join("        " + line for line in plan.splitlines()))
                if args.plans:
                    print("      " + " ".join(statement.split())[:2000])
            print(f"  total: planning {plan_sum:.2f} ms, execution {exec_sum:.2f} ms")
            totals[name] = (plan_sum, exec_sum)
    print("\npage | planning ms | execution ms")
    for name, (p, e) in totals.items():
        print(f"{name} | {p:.2f} | {e:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
