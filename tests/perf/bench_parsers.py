"""Benchmark: parser cost per MB for hostile and normal files (issue 12, not collected).

Usage: PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_parsers.py [--sizes 1 10 40] [--shapes NAME ...]

Each (shape, size) runs in a process of its own: the file is generated, then read by the
importer's parser (the same code an import job runs), every card or row taken and dropped
as the analysis does. Printed per cell: the outcome (items read, or the bound that refused
the file), the parse's CPU time (the thread's, so a busy machine counts less) and CPU ms per
MB, which stays flat when parsing is linear, and the process's peak RSS (ru_maxrss) before
and after the parse: the difference is what parsing the file cost in memory, whatever it holds.

The shapes are those of issue 12: quoted-printable soft-break storms, vCard 2.1 base64
without indentation, BEGIN:VCARD nested without END, a zip of millions of tiny CSV rows,
and a normal address book and LinkedIn export of the same size for comparison. With
PYTHONPATH pointing at an older checkout the same script measures the code before the fix
(use small sizes: the old code is quadratic).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


# --- Files ------------------------------------------------------------------------------------

def vcard_normal(size: int) -> bytes:
    """Realistic 3.0 cards of ~500 bytes (name, company, two emails, phone, note, tags)."""
    out, i = [], 0
    total = 0
    while total < size:
        card = (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:urn:uuid:{i:08d}-0000-4000-8000-000000000000\r\n"
                f"FN:Person Number{i}\r\nN:Number{i};Person;;;\r\nORG:Company {i % 977};Engineering\r\n"
                f"TITLE:Senior Engineer\r\nEMAIL;TYPE=INTERNET,WORK:person{i}@company{i % 977}.example.com\r\n"
                f"EMAIL;TYPE=INTERNET,HOME:p{i}@mail.example.org\r\nTEL;TYPE=CELL:+49 30 {i:07d}\r\n"
                f"item1.URL:https://www.linkedin.com/in/person-{i}\r\nitem1.X-ABLabel:LinkedIn\r\n"
                f"NOTE:Met at the meetup in spring\\, talked about the platform team and a referral.\r\n"
                f"CATEGORIES:Recruiters,Berlin\r\nEND:VCARD\r\n").encode()
        out.append(card)
        total += len(card)
        i += 1
    return b"".join(out)


# The hostile value goes in one card up to STORM bytes (one logical line, under the 8 MB line
# bound); larger files are several such cards. Before the fix one value cost its size squared.
STORM = 4 * MB


def _cards_of(size: int, card) -> bytes:
    each = min(size, STORM)
    return card(each) * max(1, size // each)


def vcard_qp_storm(size: int) -> bytes:
    """Cards whose NOTE is quoted-printable soft breaks ("a=" CRLF, repeated), 4 MB a card."""
    return _cards_of(size, lambda n: b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Storm\r\n"
                     b"NOTE;ENCODING=QUOTED-PRINTABLE:" + b"a=\r\n" * ((n - 100) // 4) + b"b\r\nEND:VCARD\r\n")


def vcard_base64_unindented(size: int) -> bytes:
    """Cards with a vCard 2.1 photo whose base64 lines are not indented, 4 MB a card."""
    return _cards_of(size, lambda n: b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Photo\r\n"
                     b"PHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n" + (b"QUFB" * 19 + b"\r\n") * ((n - 100) // 78)
                     + b"\r\nEND:VCARD\r\n")


def vcard_nested_unclosed(size: int) -> bytes:
    """BEGIN:VCARD nested without END, all the way down (50 KB took 39 s)."""
    return b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\n" * (size // 32)


def vcard_nested_closed(size: int) -> bytes:
    """Cards three deep (2.1 AGENT style), closed: the nesting the bound still allows."""
    note = b"NOTE:" + b"Agent of the card around it, as vCard 2.1 AGENT writes it. " * 8 + b"\r\n"
    group = (b"BEGIN:VCARD\r\nFN:Outer\r\n" + note + b"BEGIN:VCARD\r\nFN:Middle\r\n" + note
             + b"BEGIN:VCARD\r\nFN:Inner\r\n" + note + b"END:VCARD\r\nEND:VCARD\r\nEND:VCARD\r\n")
    return group * (size // len(group))


HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def linkedin_normal(size: int) -> bytes:
    """Connections.csv rows of ~450 bytes (a long Position), plain CSV."""
    rows, total, i = [HEADER], len(HEADER), 0
    position = "Senior Software Engineer, Platform and Developer Experience; " * 6
    while total < size:
        row = (f'Person{i},Number{i},https://www.linkedin.com/in/person-{i},,Company {i % 977},'
               f'"{position}",12 Mar 2024\r\n').encode()
        rows.append(row)
        total += len(row)
        i += 1
    return b"".join(rows)


def linkedin_tiny_rows_zip(size: int) -> bytes:
    """A zip whose Connections.csv is `size` bytes of 8-byte rows, under the ratio cap."""
    eight = [b"".join(b"Bob,Kim\n" if (bits >> k) & 1 else b"Ann,Lee\n" for k in range(8)) for bits in range(256)]
    csv_bytes = HEADER + b"".join(eight[b] for b in random.Random(1).randbytes(size // 64))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("Connections.csv", csv_bytes)
    return buf.getvalue()


SHAPES = {
    "vcard-normal": ("vcard", vcard_normal),
    "vcard-qp-storm": ("vcard", vcard_qp_storm),
    "vcard-base64-unindented": ("vcard", vcard_base64_unindented),
    "vcard-nested-unclosed": ("vcard", vcard_nested_unclosed),
    "vcard-nested-closed": ("vcard", vcard_nested_closed),
    "linkedin-normal": ("linkedin", linkedin_normal),
    "linkedin-tiny-rows-zip": ("linkedin", linkedin_tiny_rows_zip),
}


# --- One cell, in its own process ------------------------------------------------------------------

def child(shape: str, megabytes: float, path: str) -> None:
    kind, _make = SHAPES[shape]
    data = Path(path).read_bytes()  # made by the parent: generating it here would raise the peak
    from tracker.interop import linkedin, vcard  # imported before measuring: not the parse's cost

    if hasattr(linkedin, "iter_connections"):
        read_rows = linkedin.iter_connections
    else:  # the code before the fix: one list of every row
        def read_rows(d):
            return iter(linkedin.parse_connections(d).connections)

    read = vcard.parse_vcards if kind == "vcard" else read_rows
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.thread_time()
    items, outcome = 0, ""
    try:
        for _ in read(data):
            items += 1
        outcome = f"{items} read"
    except Exception as e:  # a bound: the message says which
        outcome = f"refused after {items}: {getattr(e, 'limit', '') or type(e).__name__}"
    cpu = time.thread_time() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"shape": shape, "mb": megabytes, "file_bytes": len(data), "cpu": cpu,
                      "rss_before_kb": before, "rss_peak_kb": after, "outcome": outcome}))


def run(shape: str, megabytes: float, timeout: float) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    with tempfile.NamedTemporaryFile(suffix=".bench") as file:
        # Made in a process of its own: on Linux a child starts with its parent's peak RSS
        # (ru_maxrss survives fork and exec), so the parent must stay small.
        subprocess.run([sys.executable, __file__, "--make", shape, str(megabytes), file.name], check=True)
        try:
            done = subprocess.run([sys.executable, __file__, "--child", shape, str(megabytes), file.name],
                                  capture_output=True, text=True, env=env, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return {"shape": shape, "mb": megabytes, "cpu": None, "outcome": f"killed after {timeout:.0f} s"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 40])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES))
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--child", nargs=3, metavar=("SHAPE", "MB", "FILE"))
    parser.add_argument("--make", nargs=3, metavar=("SHAPE", "MB", "FILE"))
    args = parser.parse_args()
    if args.make:
        Path(args.make[2]).write_bytes(SHAPES[args.make[0]][1](int(float(args.make[1]) * MB)))
        return
    if args.child:
        child(args.child[0], float(args.child[1]), args.child[2])
        return
    print("| shape | MB | file MB | outcome | CPU s | CPU ms per MB | RSS before MB | peak RSS MB | parse added MB |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for shape in args.shapes:
        for size in args.sizes:
            r = run(shape, size, args.timeout)
            if r["cpu"] is None:
                print(f"| {shape} | {size:g} | | {r['outcome']} | | | | | |", flush=True)
                continue
            before, peak = r["rss_before_kb"] / 1024, r["rss_peak_kb"] / 1024
            content = size if shape.endswith("zip") else r["file_bytes"] / MB  # a zip: per MB of CSV inside
            print(f"| {shape} | {size:g} | {r['file_bytes'] / MB:.2f} | {r['outcome']} | {r['cpu']:.2f} | "
                  f"{1000 * r['cpu'] / content:.0f} | {before:.0f} | {peak:.0f} | {peak - before:.0f} |", flush=True)


if __name__ == "__main__":
    main()
