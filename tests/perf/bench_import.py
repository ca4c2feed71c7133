"""Benchmark: a large vCard import through the same service path as the web upload (not collected).

Usage: .venv/bin/python tests/perf/bench_import.py [CARDS]   (default 10,000; one card in ten has a photo)

Prints vobject.readComponents alone over the same text, tracker's whole import (analysis
into preview rows, then apply in one transaction into a fresh SQLite database), their ratio
(target <= 2x) and the process's peak memory (ru_maxrss; target for 30,000 cards: < 300 MB).
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import vobject

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.interop.bench_vcard import make_file  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = make_file(count)
    print(f"{count} cards, {len(data) / 1e6:.1f} MB")
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.database import upgrade_database
    from tests.services.import_helpers import analysed, applied, contact_count, user

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "x"}, instance=tmp)
        with app.app_context():
            upgrade_database()
            owner = user()
            started = time.perf_counter()
            job = analysed(owner, data)
            t_analyse = time.perf_counter() - started
            report = applied(job)
            t_ours = time.perf_counter() - started
            assert report is not None and report.created == count == contact_count(owner)
            db.engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    components = list(vobject.readComponents(data.decode("utf-8")))
    t_vobject = time.perf_counter() - started
    assert len(components) == count
    print(f"vobject parse {t_vobject:6.2f}s   tracker import {t_ours:6.2f}s "
          f"(analysis {t_analyse:.2f}s, apply {t_ours - t_analyse:.2f}s)   ratio {t_ours / t_vobject:.2f}")
    print(f"peak memory (ru_maxrss, whole process) {rss:.0f} MB")


if __name__ == "__main__":
    main()
