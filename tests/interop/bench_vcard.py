"""Benchmark: tracker's vCard import/export against vobject alone (not a pytest module).

Usage: .venv/bin/python tests/interop/bench_vcard.py [CARDS]

Generates CARDS (default 10,000) vCard 3.0 cards, one in ten with a ~6 KB JPEG-sized
base64 PHOTO, and prints:
  parse:  parse_vcards  vs  vobject.readComponents (all components materialised)
  render: render_vcards vs  vobject serialize() of the components vobject parsed
The targets are parse <= 2x and render <= 1.5x vobject.
"""

from __future__ import annotations

import base64
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import vobject

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tracker.interop.vcard import Card, parse_vcards, render_vcards  # noqa: E402


def make_file(count: int) -> bytes:
    rng = random.Random(42)
    photo = base64.b64encode(rng.randbytes(6000)).decode()
    folded_photo = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    out = []
    for i in range(count):
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"UID:urn:uuid:00000000-0000-4000-8000-{i:012d}",
            f"FN:Person {i} Müller",
            f"N:Müller;Person {i};;;",
            f"ORG:Company {i % 97}\\, Inc.;Unit {i % 7}",
            "TITLE:Engineer",
            f"EMAIL;TYPE=INTERNET,WORK:person{i}@example.com",
            f"TEL;TYPE=CELL:+1 555 {i:07d}",
            f"item1.URL:https://example.com/{i}",
            "item1.X-ABLabel:_$!<HomePage>!$_",
            f"ADR;TYPE=WORK:;;{i} Main St;Springfield;IL;62701;USA",
            "NOTE:Met at a meetup\\, talked about Python\\nFollow up in spring.",
            "CATEGORIES:friends,work",
        ]
        if i % 10 == 0:
            lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + folded_photo)
        lines.append("END:VCARD")
        out.append("\r\n".join(lines) + "\r\n")
    return "".join(out).encode("utf-8")


def best_of(runs: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = make_file(count)
    text = data.decode("utf-8")
    print(f"{count} cards, {len(data) / 1e6:.1f} MB")

    t_vobject, components = best_of(3, lambda: list(vobject.readComponents(text)))
    t_ours, cards = best_of(3, lambda: list(parse_vcards(data)))
    assert len(components) == len(cards) == count
    assert all(isinstance(c, Card) for c in cards)
    print(f"parse   vobject {t_vobject:6.2f}s   tracker {t_ours:6.2f}s   ratio {t_ours / t_vobject:.2f}")

    rev = datetime(2026, 1, 1, tzinfo=UTC)
    t_vser, _ = best_of(3, lambda: [c.serialize() for c in components])
    t_render, _ = best_of(3, lambda: list(render_vcards(cards, rev=rev)))
    print(f"render  vobject {t_vser:6.2f}s   tracker {t_render:6.2f}s   ratio {t_render / t_vser:.2f}")


if __name__ == "__main__":
    main()
