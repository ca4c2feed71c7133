"""Benchmark: importing an mbox against the standard library alone parsing its headers (issue 13).

Usage: PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_mail.py [--messages 50000] [--attach-every 20]

The parent writes an mbox of N messages with realistic bodies (a text and an HTML part of
a few KB) and, every `attach-every` messages, a 150 KB PDF-like attachment; 10% of the
messages are with one of 500 contacts, 15% are mailing-list mail. Then, each in a process
of its own:
- "stdlib": `mailbox.mbox` + `BytesHeaderParser(policy=default)` on every message, reading
  From, To, Cc, Date, Subject, Message-ID (what any header-only reader has to do);
- "tracker": the whole import: the file read (interop.mail.read_file), analysed against the
  account's contacts and applied in one transaction on SQLite (services.mail_import).
Printed: CPU seconds of each (the process's user+system time, so a busy machine counts
less than in wall time), the ratio, and each process's peak RSS (ru_maxrss) before and
after the work: flat memory means the difference does not grow with the file.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTACTS = 500
BODY = ("Hello,\n\nThanks for the conversation earlier. " * 40 + "\n") * 2


def write_mbox(path: Path, n: int, attach_every: int) -> None:
    rnd = random.Random(13)
    pdf = bytes(rnd.getrandbits(8) for _ in range(150 * 1024))
    with open(path, "wb") as out:
        for i in range(n):
            m = EmailMessage()
            r = rnd.random()
            if r < 0.10:  # with a contact, half from them
                who = f"person{rnd.randrange(CONTACTS)}@company.example"
                frm, to = (who, "jo@example.com") if i % 2 else ("jo@example.com", who)
            else:
                frm, to = f"someone{rnd.randrange(5000)}@elsewhere.example", "jo@example.com"
            if 0.10 <= r < 0.25:
                m["List-Id"] = "<news.elsewhere.example>"
            m["From"], m["To"] = frm, to
            m["Subject"] = f"Re: Conversation number {i % 997} – café"
            m["Date"] = f"{['Mon', 'Tue', 'Wed'][i % 3]}, {1 + i % 28:02d} Oct 2026 {i % 24:02d}:{i % 60:02d}:00 +0000"
            m["Message-ID"] = f"<msg{i}@bench.example>"
            m["X-GM-THRID"] = str(1_700_000_000_000 + i // 3)
            m["X-Gmail-Labels"] = "Inbox,Category Personal"
            m.set_content(BODY)
            m.add_alternative(f"<html><body><p>{BODY}</p></body></html>", subtype="html")
            if attach_every and i % attach_every == 0:
                m.add_attachment(pdf, maintype="application", subtype="pdf", filename="cv.pdf")
            out.write(b"From MAILER-DAEMON Thu Oct  1 00:00:00 2026\n")
            out.write(m.as_bytes(policy=SMTP.clone(linesep="\n"), unixfrom=False).replace(b"\nFrom ", b"\n>From "))
            out.write(b"\n")


def child_stdlib(path: str) -> dict:
    import mailbox
    from email.parser import BytesHeaderParser
    from email.policy import default

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.process_time()
    box = mailbox.mbox(path, create=False)
    n = 0
    for key in box.keys():
        h = BytesHeaderParser(policy=default).parsebytes(box.get_bytes(key))
        for name in ("from", "to", "cc", "date", "subject", "message-id"):
            h[name]
        n += 1
    return {"messages": n, "cpu": time.process_time() - t0, "rss_before": before,
            "rss_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def child_tracker(path: str, folder: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from tracker import create_app
    from tracker.extensions import db
    from tracker.interop.mail import read_file
    from tracker.services import mail_import
    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, Detail, save_contact
    from tracker.services.database import upgrade_database

    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench"}, instance=Path(folder))
    with app.app_context():
        upgrade_database()
        user = create_user("jo@example.com", "correct horse battery")
        for i in range(CONTACTS):
            save_contact(user, None, ContactInput(full_name=f"Person {i}", emails=[Detail(f"person{i}@company.example")]))
        db.session.commit()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.process_time()
        preview = mail_import.analyse(user, read_file(Path(path), wants_body=mail_import.body_wanted(user)))
        logged = mail_import.apply(user, preview)
        db.session.commit()
        cpu = time.process_time() - t0
        return {"messages": preview.messages, "touchpoints": logged, "skipped": preview.skipped_count, "cpu": cpu,
                "rss_before": before, "rss_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        result = child_stdlib(sys.argv[3]) if sys.argv[2] == "stdlib" else child_tracker(sys.argv[3], sys.argv[4])
        print(json.dumps(result))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=50_000)
    ap.add_argument("--attach-every", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.mbox"
        write_mbox(path, args.messages, args.attach_every)
        size = path.stat().st_size / (1024 * 1024)
        results = {}
        for kind in ("stdlib", "tracker"):
            out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), folder], check=True,
                                 capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        s, t = results["stdlib"], results["tracker"]
        print(f"{args.messages} messages, {size:.0f} MB; tracker logged {t['touchpoints']} touchpoints, skipped {t['skipped']}")
        for kind, r in results.items():
            print(f"{kind:8s} cpu {r['cpu']:7.2f} s   peak RSS {r['rss_before'] / 1024:6.0f} MB -> {r['rss_after'] / 1024:6.0f} MB")
        print(f"ratio tracker/stdlib: {t['cpu'] / s['cpu']:.2f}")


if __name__ == "__main__":
    main()
