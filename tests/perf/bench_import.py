"""Benchmark: large vCard imports through the same service path as the web upload (not collected).

Usage: .venv/bin/python tests/perf/bench_import.py [CARDS ...]   (default: 10000 30000)

For each size, a generated file (one card in ten has a ~6 KB photo) is imported into a
fresh SQLite database in a process of its own: the job is stored, analysed into preview
rows and applied in one transaction, as after an upload with the default decisions. Then
vobject.readComponents alone reads the same text (each component built, none kept), in
another process. Printed per size:
both times, their ratio (target <= 2x) and the import process's peak memory (its
ru_maxrss, which includes the file itself; target for 30,000 cards: < 300 MB).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _import(path: str) -> dict:
    """Import the file at `path` the way an upload is: the bytes are stored as a job (and
    dropped, as the request that received them ends), then analysed and applied."""
    from tests.services.import_helpers import contact_count, user
    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import ImportJob, User
    from tracker.services import import_runner, imports
    from tracker.services.database import upgrade_database

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "x"}, instance=tmp)
        with app.app_context():
            upgrade_database()
            owner_id = user().id
            started = time.perf_counter()
            data = Path(path).read_bytes()
            job_id = imports.create_job(db.session.get(User, owner_id), "vcard", "bench.vcf", data).id
            db.session.commit()
            del data
            db.session.expunge_all()
            import_runner.run_analysis(job_id)
            analysis = time.perf_counter() - started
            job = db.session.get(ImportJob, job_id)
            assert job.status == "previewing", job.error
            job.status = "running"
            db.session.commit()
            report = import_runner.run_apply(job_id)
            total = time.perf_counter() - started
            assert report is not None and report.created == contact_count(db.session.get(User, owner_id)), report
            created = report.created
            db.engine.dispose()
    return {"cards": created, "analysis": analysis, "total": total,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _vobject(path: str) -> dict:
    import vobject

    text = Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    count = sum(1 for _ in vobject.readComponents(text))
    return {"vobject": time.perf_counter() - started, "cards": count}


def _child(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, f"--{mode}", str(path)], check=True, capture_output=True,
                         text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] in (["--import"], ["--vobject"]):
        print(json.dumps((_import if sys.argv[1] == "--import" else _vobject)(sys.argv[2])))
        return
    from tests.interop.bench_vcard import make_file

    for count in [int(a) for a in sys.argv[1:]] or [10_000, 30_000]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cards.vcf"
            path.write_bytes(make_file(count))
            size = path.stat().st_size / 1e6
            ours, theirs = _child("import", path), _child("vobject", path)
        assert ours["cards"] == theirs["cards"] == count
        print(f"{count} cards ({size:.1f} MB): "
              f"vobject parse {theirs['vobject']:6.2f}s   tracker import {ours['total']:6.2f}s "
              f"(analysis {ours['analysis']:.2f}s, apply {ours['total'] - ours['analysis']:.2f}s)   "
              f"ratio {ours['total'] / theirs['vobject']:.2f}   peak memory of the import process {ours['rss']:.0f} MB",
              flush=True)


if __name__ == "__main__":
    main()
