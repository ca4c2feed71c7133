"""Instructions per request of the benchmark's pages, counted by valgrind's callgrind: the measure
that does not move with the machine's load (CPU ms on this 2-vCPU VM moves ±30% with what the
other core does; an instruction count is the same run after run).

Each tree runs in a process of its own under `valgrind --tool=callgrind --instr-atstart=no`: it
starts the app and signs in uninstrumented (fast), and for each page warms it up, then counts
the instructions of --runs requests (callgrind's client requests, through a small C helper
compiled here with gcc) and divides. Same database, same hash seed, one tree after the other:

    python -m tests.perf.page_instructions sqlite:////tmp/x/bench-L.sqlite3 \\
        --tree before=/work/main --tree after=. --pages "company page","contacts page 1"

Pages are the benchmark's names (tests/perf/bench_pages.pages) or paths ("/settings/"); all of
the benchmark's pages without --pages. Figures are millions of instructions (Mi) per request;
--per-ms converts to ms at a rate you measured on a quiet machine (the README's run gives one).
With two trees or more it also says whether each page's HTML is the same in all of them (CSRF
tokens aside; the answers are kept in the folder it prints).
Not collected by pytest. A request costs 40-100x its native time under callgrind.
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_HELPER = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""


def _helper() -> ctypes.CDLL:
    folder = Path(tempfile.mkdtemp(prefix="tracker-cg-"))
    (folder / "cg.c").write_text(_HELPER)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(folder / "cg.so"), str(folder / "cg.c")], check=True)
    return ctypes.CDLL(str(folder / "cg.so"))


def child(url: str, names: list[str], runs: int, html: str | None) -> None:
    """Under valgrind: warm each page, count --runs requests of it; one dump per page. With
    `html`, each page's last answer is written there (compared across trees by the parent)."""
    from tests.perf.bench import existing_account
    from tests.perf.bench_pages import pages, sign_in
    from tracker import create_app

    cg = _helper()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
    client = sign_in(app)
    urls = pages(app, client, existing_account(app))
    for name in names:
        path = urls.get(name, name)
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        # Each page from the same collector state: what earlier pages left is collected and
        # frozen (as a served worker freezes its start-up), so a full collection that the
        # previous page's garbage would have triggered is not counted as this page's cost.
        gc.collect()
        gc.freeze()
        cg.cg_start()
        for _ in range(runs):
            body = client.get(path).get_data()
        cg.cg_dump(name.encode())
        if html:
            (Path(html) / f"{_slug(name)}.html").write_bytes(body)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


_TOKENS = re.compile(rb'(name="csrf_token"[^>]*value="|name="csrf-token"[^>]*content=")[^"]*"')


def _same_html(folders: list[Path], name: str) -> str:
    """'same' when every tree answered the page alike (CSRF tokens aside), else the first difference."""
    bodies = [_TOKENS.sub(rb"\1TOKEN\"", (folder / f"{_slug(name)}.html").read_bytes()) for folder in folders]
    for body in bodies[1:]:
        if body != bodies[0]:
            at = next((i for i, (a, b) in enumerate(zip(body, bodies[0])) if a != b), min(len(body), len(bodies[0])))
            return f"DIFFERS at byte {at}: {bodies[0][max(0, at - 60):at + 60]!r} / {body[max(0, at - 60):at + 60]!r}"
    return "same"


def _totals(out_prefix: str) -> dict[str, int]:
    """Each dump's name and instruction total, from callgrind's output files."""
    totals = {}
    for file in sorted(Path(out_prefix).parent.glob(Path(out_prefix).name + "*"),
                       key=lambda p: int(p.name.rsplit(".", 1)[-1]) if p.name.rsplit(".", 1)[-1].isdigit() else 0):
        text = file.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
        summary = re.search(r"^summary: (\d+)", text, re.M) or re.search(r"^totals: (\d+)", text, re.M)
        if trigger and summary:
            totals[trigger.group(1).strip()] = int(summary.group(1))
    return totals


def measure(tree: str, url: str, names: list[str], runs: int, html: Path) -> dict[str, float]:
    """Mi per request of each page, the app being the tree at `tree`; its answers written to `html`."""
    out = Path(tempfile.mkdtemp(prefix="tracker-cg-out-")) / "callgrind.out"
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), PYTHONHASHSEED="0")
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, str(Path(__file__).resolve()), "--child", url, "--runs", str(runs),
               "--pages", json.dumps(names), "--html", str(html)]
    done = subprocess.run(command, env=env, cwd=str(Path(tree).resolve()), capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{tree}: valgrind exited {done.returncode}\n{done.stderr[-3000:]}")
    totals = _totals(str(out))
    return {name: totals[name] / runs / 1e6 for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of an account a benchmark built (bench.py --keep)")
    parser.add_argument("--tree", action="append", metavar="LABEL=PATH",
                        help="a checkout to measure (repeatable); default: this one")
    parser.add_argument("--pages", help="comma-separated page names or paths (default: every benchmark page); a comma followed by a space is part of a name")
    parser.add_argument("--runs", type=int, default=5, help="requests counted per page")
    parser.add_argument("--per-ms", type=float, help="instructions (millions) per ms, to print ms too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.url, json.loads(args.pages), args.runs, args.html)
        return
    if args.pages:
        # A comma followed by a space belongs to a name ("contacts, last page").
        names = [name.strip() for name in re.split(r",(?! )", args.pages) if name.strip()]
    else:
        names = _bench_names()
    trees = [tree.split("=", 1) if "=" in tree else (tree, tree) for tree in (args.tree or [f"this={ROOT}"])]
    answers = Path(tempfile.mkdtemp(prefix="tracker-cg-html-"))
    folders = {label: answers / label for label, _ in trees}
    for folder in folders.values():
        folder.mkdir()
    results = {label: measure(path, args.url, names, args.runs, folders[label]) for label, path in trees}
    labels = [label for label, _ in trees]
    width = max(len(name) for name in names)
    print(f"{'Mi per request':<{width}}  " + "  ".join(f"{label:>10}" for label in labels)
          + ("  " + "  ".join(f"{label + '/' + labels[0]:>12}" for label in labels[1:]) if len(labels) > 1 else ""))
    for name in names:
        cells = [results[label][name] for label in labels]
        line = f"{name:<{width}}  " + "  ".join(f"{cell:10.2f}" for cell in cells)
        if len(cells) > 1:
            line += "  " + "  ".join(f"{cell / cells[0]:12.3f}" for cell in cells[1:])
        if args.per_ms:
            line += "   ms: " + " / ".join(f"{cell / args.per_ms:.2f}" for cell in cells)
        if len(cells) > 1:
            line += "   html " + _same_html(list(folders.values()), name)
        print(line, flush=True)
    print(json.dumps(results))
    print(f"answers: {answers}")


def _bench_names() -> list[str]:
    """The benchmark's page names, read from bench_pages.pages' source (no app needed)."""
    source = (ROOT / "tests" / "perf" / "bench_pages.py").read_text()
    body = source.split("def pages(", 1)[1].split("\n\n\n", 1)[0]
    return re.findall(r'^\s+"([^"]+)": ', body, re.M)


if __name__ == "__main__":
    main()
