"""Benchmark: importing an mbox against the standard library alone parsing its headers (issue 13).

Usage: PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_mail.py [--messages 50000] [--attach-every 20]
       PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_mail.py --sizes 5000,20000,50000
       PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_mail.py --imap 3000

--imap N: an IMAP sync instead (services.imap_sync) of N messages APPENDed to a real dovecot
started as in the tests (tests/imap_server.py), against the standard library's imaplib
fetching the same header fields (UID FETCH of BODY.PEEK[HEADER.FIELDS (...)] in batches of
500) and parsing them with BytesHeaderParser. CPU seconds per message of each, the ratio,
the peak RSS of each process, and the wall time of the sync.

The parent writes an mbox of N messages with realistic bodies (a text and an HTML part of
a few KB) and, every `attach-every` messages, a 150 KB PDF-like attachment; 10% of the
messages are with one of 500 contacts, 15% are mailing-list mail. Then, each in a process
of its own:
- "stdlib": `mailbox.mbox` + `BytesHeaderParser(policy=default)` on every message, reading
  From, To, Cc, Date, Subject, Message-ID (what any header-only reader has to do);
- "tracker": the whole import as `tracker import-mail` runs it: the file read
  (interop.mail.read_file) into a job's rows (services.mail_staging), its preview built,
  applied in one transaction on SQLite.
Printed: CPU seconds of each (the process's user+system time, so a busy machine counts
less than in wall time), the ratio, and each process's RSS when the work starts (its peak
reset there: Linux clear_refs) and its peak RSS (ru_maxrss) after the work: flat memory
means the difference does not grow with the file.
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


def _reset_peak() -> int:
    """Start the process's peak RSS again from its current RSS (Linux: "5" to clear_refs resets
    VmHWM), so that the peak measured after the work is the work's own, not the app start's.
    Returns ru_maxrss after the reset (KB)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_stdlib(path: str) -> dict:
    import mailbox
    from email.parser import BytesHeaderParser
    from email.policy import default

    before = _reset_peak()
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
    from tracker.services import mail_import, mail_jobs, mail_staging
    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, Detail, save_contact
    from tracker.services.database import upgrade_database

    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench-{os.getpid()}.sqlite3", "SECRET_KEY": "bench"},
                     instance=Path(folder))
    with app.app_context():
        upgrade_database()
        user = create_user("jo@example.com", "correct horse battery")
        for i in range(CONTACTS):
            save_contact(user, None, ContactInput(full_name=f"Person {i}", emails=[Detail(f"person{i}@company.example")]))
        db.session.commit()
        before = _reset_peak()
        t0 = time.process_time()
        # What `tracker import-mail` does: the file read into a job's rows, the preview
        # built from them, applied, all in one transaction.
        job = mail_jobs.for_file(user, Path(path).name)
        counts = mail_staging.stage(user, job, read_file(Path(path), wants_body=mail_import.body_wanted(user)),
                                    db.session.flush)
        preview = mail_staging.preview(user, job)
        logged = mail_staging.apply(user, job)
        db.session.delete(job)
        db.session.commit()
        cpu = time.process_time() - t0
        return {"messages": counts.messages, "touchpoints": logged, "skipped": counts.skipped_count, "cpu": cpu,
                "shown": len(preview.entries),
                "rss_before": before, "rss_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _messages(n: int):
    """The mbox's messages (as bytes, CRLF line ends for IMAP), without attachments."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.mbox"
        write_mbox(path, n, 0)
        import mailbox

        box = mailbox.mbox(str(path), create=False)
        for key in box.keys():
            yield box.get_bytes(key).replace(b"\n", b"\r\n")
        box.close()


def child_imap_stdlib(settings: str) -> dict:
    import imaplib
    import ssl
    from email.parser import BytesHeaderParser
    from email.policy import default

    sys.path.insert(0, str(ROOT))
    from tracker.interop.imap import HEADER_FIELDS

    conf = json.loads(settings)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, w0 = time.process_time(), time.monotonic()
    client = imaplib.IMAP4_SSL("127.0.0.1", conf["port"], ssl_context=ssl.create_default_context(cafile=conf["ca"]))
    client.login(conf["user"], conf["password"])
    client.select("INBOX", readonly=True)
    uids = client.uid("SEARCH", "UID", "1:*")[1][0].split()
    n = 0
    for i in range(0, len(uids), 500):
        chunk = b",".join(uids[i:i + 500]).decode()
        data = client.uid("FETCH", chunk, f"(BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})])")[1]
        for part in data:
            if isinstance(part, tuple):
                h = BytesHeaderParser(policy=default).parsebytes(part[1])
                for name in ("from", "to", "cc", "date", "subject", "message-id"):
                    h[name]
                n += 1
    client.logout()
    return {"messages": n, "cpu": time.process_time() - t0, "wall": time.monotonic() - w0, "rss_before": before,
            "rss_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def child_imap_tracker(settings: str, folder: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services import imap_sync
    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, Detail, save_contact
    from tracker.services.database import upgrade_database

    conf = json.loads(settings)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/imap.sqlite3", "SECRET_KEY": "bench",
                      "IMAP_CA_FILE": conf["ca"], "MAIL_ALLOW_PRIVATE_HOSTS": True}, instance=Path(folder))
    with app.app_context():
        upgrade_database()
        user = create_user("jo@example.com", "correct horse battery")
        for i in range(CONTACTS):
            save_contact(user, None, ContactInput(full_name=f"Person {i}", emails=[Detail(f"person{i}@company.example")]))
        account = imap_sync.save_settings(user, host="127.0.0.1", port=conf["port"], security="ssl",
                                          username=conf["user"], password=conf["password"], folders=["INBOX"],
                                          scheduled=False)
        account_id = account.id
        db.session.commit()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0, w0 = time.process_time(), time.monotonic()
        report = imap_sync.sync(account_id)
        cpu, wall = time.process_time() - t0, time.monotonic() - w0
        again0 = time.process_time()
        second = imap_sync.sync(account_id)
        return {"messages": report.messages, "touchpoints": report.logged, "skipped": report.skipped, "cpu": cpu,
                "wall": wall, "second_fetched": sum(len(f.fetched) for f in second.folders),
                "second_cpu": time.process_time() - again0,
                "rss_before": before, "rss_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def bench_imap(n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.imap_server import Dovecot

    server = Dovecot().start()
    try:
        box = server.mailbox()
        client = box.client()
        t0 = time.monotonic()
        batch = []
        for raw in _messages(n):  # MULTIAPPEND (RFC 3502): 500 messages per command
            batch.append(raw)
            if len(batch) == 500:
                client.multiappend("INBOX", batch)
                batch = []
        if batch:
            client.multiappend("INBOX", batch)
        client.logout()
        print(f"{n} messages APPENDed to dovecot in {time.monotonic() - t0:.0f} s (wall)")
        settings = json.dumps({"port": server.tls_port, "ca": str(server.folder / "ca.pem"), "user": box.user,
                               "password": box.password})
        results = {}
        with tempfile.TemporaryDirectory() as folder:
            for kind in ("imap_stdlib", "imap_tracker"):
                out = subprocess.run([sys.executable, __file__, "--child", kind, settings, folder], check=True,
                                     capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
                results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.stop()
    s, t = results["imap_stdlib"], results["imap_tracker"]
    print(f"IMAP sync of {t['messages']} messages: {t['touchpoints']} touchpoints, {t['skipped']} skipped")
    for kind, r in results.items():
        print(f"{kind:12s} cpu {r['cpu']:6.2f} s ({r['cpu'] / max(r['messages'], 1) * 1000:.2f} ms/message)  "
              f"wall {r['wall']:6.1f} s   peak RSS {r['rss_before'] / 1024:5.0f} MB -> {r['rss_after'] / 1024:5.0f} MB")
    print(f"ratio tracker/stdlib (CPU): {t['cpu'] / s['cpu']:.2f}")
    print(f"second sync: {t['second_fetched']} messages fetched, {t['second_cpu']:.2f} CPU s")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "stdlib":
            result = child_stdlib(sys.argv[3])
        elif kind == "tracker":
            result = child_tracker(sys.argv[3], sys.argv[4])
        elif kind == "imap_stdlib":
            result = child_imap_stdlib(sys.argv[3])
        else:
            result = child_imap_tracker(sys.argv[3], sys.argv[4])
        print(json.dumps(result))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=50_000)
    ap.add_argument("--attach-every", type=int, default=20)
    ap.add_argument("--sizes", default="", help="several sizes, e.g. 5000,20000,50000: one table, a fresh "
                    "process per size and kind")
    ap.add_argument("--imap", type=int, default=0, help="benchmark an IMAP sync of this many messages instead")
    args = ap.parse_args()
    if args.imap:
        bench_imap(args.imap)
        return
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else [args.messages]
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.mbox"
            write_mbox(path, n, args.attach_every)
            size = path.stat().st_size / (1024 * 1024)
            results = {}
            for kind in ("stdlib", "tracker"):  # each in a fresh process: ru_maxrss is that process's peak
                out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), folder], check=True,
                                     capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
                results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        s, t = results["stdlib"], results["tracker"]
        print(f"{n} messages, {size:.0f} MB; tracker logged {t['touchpoints']} touchpoints, skipped {t['skipped']}")
        for kind, r in results.items():
            print(f"{kind:8s} cpu {r['cpu']:7.2f} s   peak RSS {r['rss_before'] / 1024:6.0f} MB -> {r['rss_after'] / 1024:6.0f} MB")
        print(f"ratio tracker/stdlib: {t['cpu'] / s['cpu']:.2f}", flush=True)
        rows.append((n, size, t, s))
    if len(rows) > 1:
        print("\n| messages | file | touchpoints | tracker CPU s | stdlib CPU s | ratio | tracker peak RSS before -> after "
              "(growth) | stdlib peak RSS |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for n, size, t, s in rows:
            print(f"| {n:,} | {size:.0f} MB | {t['touchpoints']:,} | {t['cpu']:.1f} | {s['cpu']:.1f} | "
                  f"{t['cpu'] / s['cpu']:.2f} | {t['rss_before'] / 1024:.0f} -> {t['rss_after'] / 1024:.0f} MB "
                  f"(+{(t['rss_after'] - t['rss_before']) / 1024:.0f}) | {s['rss_before'] / 1024:.0f} -> "
                  f"{s['rss_after'] / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
