"""Mail files become e-mail touchpoints (services.mail_import and `tracker import-mail`):
grouping, direction, re-import, skipped mail, unknown correspondents, the cadence."""
from __future__ import annotations

import mailbox
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.interop.test_mail import message, write_mbox
from tests.services.import_helpers import user
from tracker import clock
from tracker.extensions import db
from tracker.interop.mail import read_file
from tracker.models import Contact, MailMessage, Touchpoint
from tracker.services import kept_agenda, mail_import, mail_jobs, mail_staging
from tracker.services.touchpoints import delete_touchpoint
from tracker.services.cadence import cached_touch_summaries, derived_touch_summaries
from tracker.services.contacts import ContactInput, Detail, save_contact

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def contact(owner, name, *emails) -> Contact:
    c = save_contact(owner, None, ContactInput(full_name=name, role="recruiter", emails=[Detail(e) for e in emails]))
    db.session.commit()
    return c


def run(owner, path: Path, dry_run: bool = False) -> mail_import.MailPreview:
    """A file read as `tracker import-mail` reads it: into a job's rows, then applied."""
    job = mail_jobs.for_file(owner, path.name)
    mail_staging.stage(owner, job, read_file(path, wants_body=mail_import.body_wanted(owner)), db.session.flush)
    preview = mail_staging.preview(owner, job)
    if dry_run:
        db.session.rollback()
    else:
        mail_staging.apply(owner, job)
        db.session.delete(job)
        db.session.commit()
    return preview


def rows(owner):
    return [(t.happened_on, t.channel, t.inbound, t.summary, t.source, sorted(c.full_name for c in t.contacts))
            for t in db.session.scalars(select(Touchpoint).where(Touchpoint.user_id == owner.id)
                                        .order_by(Touchpoint.happened_on, Touchpoint.happened_at, Touchpoint.id))]


def test_takeout_thread_is_one_touchpoint_and_reimport_adds_nothing(ctx):
    owner = user()
    priya = contact(owner, "Priya Raman", "Priya@Acme.example")
    preview = run(owner, DATA / "takeout.mbox")
    assert (preview.messages, len(preview.entries), preview.skipped_count) == (3, 1, 1)
    assert preview.skip_reasons == {"mailing list": 1}
    assert rows(owner) == [(date(2026, 11, 3), "email", True, "Next steps – Data Engineer (2 messages)", "mail",
                            ["Priya Raman"])]
    assert priya.last_touch_on == date(2026, 11, 3)
    assert cached_touch_summaries(owner.id) == derived_touch_summaries(owner.id)
    today = date(2026, 12, 1)
    assert kept_agenda.kept(owner, today) == kept_agenda.derived(owner, today)
    again = run(owner, DATA / "takeout.mbox")
    assert (again.already, len(again.entries)) == (2, 0)
    assert db.session.scalar(select(func.count()).select_from(Touchpoint)) == 1
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 2


def test_ten_mails_on_one_day_are_one_touchpoint_other_days_and_threads_are_not(ctx, tmp_path):
    owner = user()
    contact(owner, "Priya Raman", "priya@acme.example")
    mails = []
    for i in range(10):  # a back-and-forth on 3 Nov, alternating senders, one thread by References
        mine = i % 2 == 1
        mails.append(message(frm="jo@example.com" if mine else "priya@acme.example",
                             to="priya@acme.example" if mine else "jo@example.com",
                             subject="Re: Offer" if i else "Offer", msgid=f"<t{i}@x>",
                             date=f"Tue, 03 Nov 2026 {9 + i:02d}:00:00 +0000",
                             **({"References": "<t0@x>"} if i else {})))
    mails.append(message(msgid="<next-day@x>", subject="Re: Offer", References="<t0@x>",
                         date="Wed, 04 Nov 2026 09:00:00 +0000"))
    mails.append(message(msgid="<other@x>", subject="Coffee?", date="Tue, 03 Nov 2026 18:00:00 +0000"))
    run(owner, write_mbox(tmp_path / "x.mbox", mails))
    assert [(r[0], r[3]) for r in rows(owner)] == [
        (date(2026, 11, 3), "Offer (10 messages)"), (date(2026, 11, 3), "Coffee?"), (date(2026, 11, 4), "Offer")]


def test_direction_uses_every_own_address_and_the_users_zone(ctx, tmp_path):
    owner = user()
    owner.mail_addresses = "jo.work@corp.example\nJO@old.example"
    owner.timezone = "America/Los_Angeles"
    db.session.commit()
    contact(owner, "Ken Ito", "ken@acme.example")
    path = write_mbox(tmp_path / "x.mbox", [
        message(frm="Jo <jo@old.example>", to="Ken Ito <ken@acme.example>", msgid="<a@x>", subject="Thanks",
                date="Wed, 04 Nov 2026 03:00:00 +0000"),  # 3 Nov, 19:00 in Los Angeles
        message(frm="jo.work@corp.example", to="ken@acme.example", msgid="<b@x>", subject="Following up",
                date="Fri, 06 Nov 2026 12:00:00 +0000")])
    run(owner, path)
    assert [(r[0], r[2], r[3]) for r in rows(owner)] == [
        (date(2026, 11, 3), False, "Thanks"), (date(2026, 11, 6), False, "Following up")]
    ken = db.session.scalar(select(Contact).where(Contact.full_name == "Ken Ito"))
    # Two unanswered written outreaches in a row: the cadence's back-off counts them.
    assert ken.unanswered_count == 2


def test_unknown_correspondents_are_listed_not_created_and_skips_say_why(ctx, tmp_path):
    owner = user()
    path = write_mbox(tmp_path / "x.mbox", [
        message(frm="Priya Raman <priya@acme.example>", msgid=f"<p{i}@x>", date=f"Tue, 0{i + 1} Nov 2026 10:00:00 +0000")
        for i in range(3)] + [
        message(frm="Sam <sam@beta.example>", msgid="<s@x>"),
        message(frm="no-reply@jobs.example", msgid="<n@x>"),
        message(date="yesterday-ish", msgid="<d@x>")])
    preview = run(owner, path, dry_run=True)
    assert [(c.name, c.count, c.last_on) for c in preview.unknown] == [
        ("Priya Raman", 3, date(2026, 11, 3)), ("Sam", 1, date(2026, 11, 3))]
    assert sorted(r for _, _, r in preview.skipped) == ["no readable Date header", "no-reply sender (no-reply@jobs.example)"]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_rejection_and_invitation_are_flagged(ctx):
    owner = user()
    contact(owner, "Ken Ito", "ken@acme.example")
    contact(owner, "Priya Raman", "priya@acme.example")
    flags = {tuple(e.contact_ids): e.flag for e in run(owner, DATA / "thunderbird.mbox", dry_run=True).entries}
    assert list(flags.values()) == ["rejection"]
    assert run(owner, DATA / "takeout.mbox", dry_run=True).entries[0].flag == "invitation"  # "your availability"


def test_cli_dry_run_then_import(app, tmp_path):
    with app.app_context():
        owner = user()
        contact(owner, "Priya Raman", "priya@acme.example")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import-mail", str(DATA / "takeout.mbox"), "--user", "jo@example.com", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing was saved." in dry.output
    assert "3 messages: 1 e-mail touchpoints would be logged" in dry.output
    assert "Skipped: 1 × mailing list." in dry.output
    done = runner.invoke(args=["import-mail", str(DATA / "takeout.mbox"), "--user", "jo@example.com"])
    assert "1 e-mail touchpoints logged" in done.output and "Priya Raman (from them)" in done.output
    again = runner.invoke(args=["import-mail", str(DATA / "takeout.mbox"), "--user", "jo@example.com"])
    assert "0 e-mail touchpoints logged, 2 already imported" in again.output
    bad = tmp_path / "x.txt"
    bad.write_text("hello\n")
    refused = runner.invoke(args=["import-mail", str(bad), "--user", "jo@example.com"])
    assert refused.exit_code == 1 and "Nothing was imported: This file is not a mail file" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Touchpoint)) == 1


def test_a_deleted_mail_touchpoint_does_not_come_back_on_reimport(ctx):
    owner = user()
    priya = contact(owner, "Priya Raman", "priya@acme.example")
    run(owner, DATA / "takeout.mbox")
    delete_touchpoint(db.session.scalar(select(Touchpoint)))
    db.session.commit()
    assert priya.last_touch_on is None
    again = run(owner, DATA / "takeout.mbox")
    assert (again.already, len(again.entries)) == (2, 0)
    assert db.session.scalar(select(func.count()).select_from(Touchpoint)) == 0
    assert db.session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.touchpoint_id.is_(None))) == 2


def test_first_lines_are_kept_in_notes_only_when_the_user_asks(ctx):
    owner = user()
    contact(owner, "Ken Ito", "ken@acme.example")
    contact(owner, "Priya Raman", "priya@acme.example")
    run(owner, DATA / "thunderbird.mbox")
    run(owner, DATA / "takeout.mbox")
    assert [t.notes for t in db.session.scalars(select(Touchpoint))] == ["", ""]  # off: no body stored

    keeper = user("ann@example.com")
    keeper.mail_addresses = "jo@example.com"
    keeper.mail_keep_first_lines = True
    contact(keeper, "Ken Ito", "ken@acme.example")
    contact(keeper, "Priya Raman", "priya@acme.example")
    run(keeper, DATA / "thunderbird.mbox")
    run(keeper, DATA / "takeout.mbox")
    notes = {t.summary: t.notes for t in db.session.scalars(select(Touchpoint).where(Touchpoint.user_id == keeper.id))}
    # The quoted ">From " line is the mbox escape, unquoted; the reply's own line is kept too.
    assert notes == {
        "Your application": "Chère Jo,\nFrom the whole panel: thank you. Unfortunately we have decided to move\n"
                            "forward with other candidates.",
        "Next steps – Data Engineer (2 messages)": "Hi Jo, thanks for your time — could you share your availability?"
                                                   "\n\nThursday works.",
    }
