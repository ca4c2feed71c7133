"""Benchmark worker: one import or export, or its floor, in a fresh process, so that its
peak memory (ru_maxrss) is its own. Run by tests/perf/bench.py; prints one JSON line.

    python -m tests.perf.bench_io TASK --db URL --instance DIR [--file PATH] [--user-id N]

Tasks: import-vcard, import-linkedin (the web upload's path: imports.create_job, then
import_runner.run_analysis and run_apply with the preview's default decisions),
export-vcard (services.vcards.export_vcards, as /transfer/export.vcf streams it),
export-feed (services.calendar_feed.render_feed, as /calendar/<token>.ics builds it),
floor-vobject-parse, floor-vobject-serialise, floor-icalendar.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def _rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited over fork)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("--db", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--file")
    parser.add_argument("--user-id", type=int, default=1)
    args = parser.parse_args()

    from tracker import clock, create_app
    from tracker.extensions import db

    app = create_app({"DATABASE_URL": args.db, "SECRET_KEY": "bench", "IMPORTS_INLINE": True},
                     instance=args.instance)
    data = open(args.file, "rb").read() if args.file else b""
    out: dict = {"task": args.task}
    with app.app_context():
        from tracker.models import User

        user = db.session.get(User, args.user_id)
        today = clock.today(user.timezone)
        baseline = _current_rss_mb()
        started = time.perf_counter()
        if args.task in ("import-vcard", "import-linkedin"):
            try:
                from tracker.services import import_runner, imports
            except ImportError as e:
                print(json.dumps({"task": args.task, "todo": f"issue 6's import services are not here ({e})"}))
                return
            job = imports.create_job(user, args.task.split("-")[1], "bench", data)
            db.session.commit()
            job_id = job.id
            del job, data
            db.session.expunge_all()
            import_runner.run_analysis(job_id)
            analysed = time.perf_counter()
            from tracker.models import ImportJob

            # The preview's "Import" button with every default decision (views/transfer.py).
            job = db.session.get(ImportJob, job_id)
            if job.status == "previewing":
                job.status, job.processed = "running", 0
                db.session.commit()
            report = import_runner.run_apply(job_id)
            job = db.session.get(ImportJob, job_id)
            out.update(analyse_s=analysed - started, apply_s=time.perf_counter() - analysed, status=job.status,
                       error=job.error, report=getattr(report, "counts", None) and dict(report.counts))
        elif args.task == "export-vcard":
            from tracker.services.vcards import export_vcards

            size = 0
            cards = 0
            for card in export_vcards(user):
                size += len(card.encode())
                cards += 1
            out.update(bytes=size, cards=cards)
        elif args.task == "export-feed":
            from tracker.services.calendar_feed import render_feed

            body = render_feed(user, "https://tracker.example.org", today)
            out.update(bytes=len(body), events=body.count(b"BEGIN:VEVENT"))
        elif args.task == "floor-vobject-parse":
            import vobject

            cards = sum(1 for _ in vobject.readComponents(data.decode("utf-8")))
            out.update(cards=cards)
        elif args.task == "floor-vobject-serialise":
            import vobject

            parsed = list(vobject.readComponents(data.decode("utf-8")))
            started = time.perf_counter()
            size = sum(len(c.serialize()) for c in parsed)
            out.update(bytes=size, cards=len(parsed))
        elif args.task == "floor-icalendar":
            from icalendar import Calendar, Event

            source = Calendar.from_ical(data)
            events = [[(name, value) for name, value in component.property_items(recursive=False)
                       if name not in ("BEGIN", "END")]
                      for component in source.walk("VEVENT")]
            started = time.perf_counter()
            cal = Calendar()
            cal.add("prodid", "-//bench//floor//EN")
            cal.add("version", "2.0")
            for props in events:
                event = Event()
                for name, value in props:
                    event.add(name, value, encode=False)
                cal.add_component(event)
            body = cal.to_ical()
            out.update(bytes=len(body), events=len(events))
        else:
            sys.exit(f"unknown task {args.task}")
        out.update(seconds=time.perf_counter() - started, peak_rss_mb=_rss_mb(), baseline_rss_mb=baseline)
        db.engine.dispose()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
