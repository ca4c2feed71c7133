"""Benchmark: capturing a posting costs CPU time linear in the page's size (not collected).

Usage: PYTHONPATH=$PWD /work/main/.venv/bin/python tests/perf/bench_postings.py [--sizes 0.25 0.5 1 2 4]

Shapes, each grown to the size by repetition of its realistic part:
- jsonld: a saved page whose body is a long list of paragraphs and links (the page's chrome:
  what a LinkedIn or Workday page is mostly made of), with the JobPosting JSON-LD of
  tests/data/postings/greenhouse.html in its head;
- text: the same page without structured data (the microdata and RDFa extractors run, then
  the visible text is kept);
- microdata: a careers page listing many microdata JobPostings (the first is taken);
- deep: one JSON-LD script nested as deep as it can be in the bytes (arrays in arrays):
  skipped, the text kept.
Each cell runs read_posting in the same process after one warm-up and prints the thread's
CPU time and CPU ms per MB, which stays flat when the cost is linear.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tracker.interop.job_posting import read_posting  # noqa: E402

MB = 1024 * 1024
HEAD = (ROOT / "tests/data/postings/greenhouse.html").read_text().split("<body>")[0]
CHROME = ('<div class="row"><p>Similar jobs near you: <a href="/jobs/{i}">Engineer {i}</a> at Company {i} — '
          'posted {i} days ago · 120 applicants</p><ul><li>Benefit {i}</li><li>Perk</li></ul></div>\n')
ITEM = ('<article itemscope itemtype="https://schema.org/JobPosting"><h2 itemprop="title">Role {i}</h2>'
        '<span itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">'
        '<span itemprop="name">Company {i}</span></span><p itemprop="description">About role {i}.</p></article>\n')


def grow(part: str, size: int) -> str:
    out, total, i = [], 0, 0
    while total < size:
        chunk = part.format(i=i)
        out.append(chunk)
        total += len(chunk)
        i += 1
    return "".join(out)


def page(shape: str, size: int) -> str:
    if shape == "jsonld":
        return HEAD + "<body>" + grow(CHROME, size - len(HEAD)) + "</body></html>"
    if shape == "text":
        return "<html><head><title>Jobs</title></head><body>" + grow(CHROME, size) + "</body></html>"
    if shape == "microdata":
        return "<html><body>" + grow(ITEM, size) + "</body></html>"
    depth = size // 2 - 100
    return '<script type="application/ld+json">' + "[" * depth + "]" * depth + "</script><h1>Deep</h1>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1, 2, 4])
    parser.add_argument("--shapes", nargs="+", default=["jsonld", "text", "microdata", "deep"])
    args = parser.parse_args()
    read_posting(page("jsonld", 50_000))  # warm-up: imports, lxml and rdflib set-up
    print(f"{'shape':<10} {'MB':>6} {'found':<10} {'CPU s':>7} {'CPU ms/MB':>10}")
    for shape in args.shapes:
        for mb in args.sizes:
            html = page(shape, int(mb * MB))
            start = time.thread_time()
            posting = read_posting(html)
            spent = time.thread_time() - start
            print(f"{shape:<10} {mb:>6g} {posting.found or '(text)':<10} {spent:>7.3f} {spent * 1000 / mb:>10.0f}")


if __name__ == "__main__":
    main()
