"""Referrals on the opportunity's page: ask someone you know there, see the playbook's
follow-ups first, move the referral on with its buttons, correct it by hand; the contact's
page says what they did ("Referred you to Acme — submitted 3 Nov")."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.web.html_forms import parse_forms
from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, Referral

NOW = datetime(2026, 11, 3, 9, tzinfo=timezone.utc)


def _setup(client) -> tuple[int, int]:
    clock.pin(NOW)
    response = client.post_form("/contacts/new", {"full_name": "Jane Doe", "role": "peer", "company": "Acme"})
    jane = int(response.headers["Location"].rsplit("/", 1)[-1])
    response = client.post_form("/opportunities/new", {"title": "Backend Engineer", "company": "Acme",
                                                       "status": "applied", "source": "referral"})
    return jane, int(response.headers["Location"].rsplit("/", 1)[-1])


def _post_page_form(client, page_url: str, action: str, **changes):
    """Post the form of `page_url` whose action is `action` (or that posts to the page
    itself, when `action` is the page's path), as shown (every value of a name: all the
    ticked boxes), with `changes`."""
    forms = parse_forms(client.get(page_url).get_data(as_text=True))
    (form,) = [f for f in forms if f.method == "post" and (f.action or page_url.split("?")[0]) == action]
    data = MultiDict(form.entries())
    for name, value in changes.items():
        data.setlist(name, [value])
    return client.raw.post(page_url if not form.action else action, data=data)


def test_ask_then_the_follow_ups_then_the_steps(user_client, in_db):
    jane, opp = _setup(user_client)
    page = user_client.get(f"/opportunities/{opp}").get_data(as_text=True)
    assert "Jane Doe (Works there)" in page  # offered from the people you know there

    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/referrals/new/{opp}", contact=str(jane))
    assert response.status_code == 302 and "/playbooks/referral_asked/referral/" in response.headers["Location"]
    preview = response.headers["Location"]
    text = user_client.get(preview).get_data(as_text=True)
    assert "Thank Jane Doe (Acme) for considering a referral for Backend Engineer" in text
    assert _post_page_form(user_client, preview, preview.split("?")[0]).status_code == 302
    assert in_db(lambda: db.session.scalar(select(db.func.count(FollowUp.id)))) == 2

    page = user_client.get(f"/opportunities/{opp}").get_data(as_text=True)
    section = page[page.index('id="referrals-h"'):]
    assert "Asked 3 Nov 2026" in section
    assert "Check in with Jane Doe (Acme) about the referral for Backend Engineer if there is no answer" in section
    assert "due 10 Nov 2026" in section

    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    clock.pin(datetime(2026, 11, 5, 9, tzinfo=timezone.utc))
    assert user_client.post_form(f"/referrals/{rid}/advance", {"status": "submitted"}).status_code == 302
    assert in_db(lambda: dict(db.session.execute(select(FollowUp.kind, FollowUp.status)).all())) == {
        "thank_you": "open", "check_in": "dismissed"}
    contact_page = user_client.get(f"/contacts/{jane}").get_data(as_text=True)
    assert re.search(r"Referred you to <a [^>]+>Acme</a> <span class=\"muted\">\(Backend Engineer\)</span>\s*— submitted 5 Nov 2026",
                     contact_page)

    response = user_client.post_form(f"/referrals/{rid}/advance", {"status": "hired"})
    assert "/playbooks/referral_outcome/referral/" in response.headers["Location"]
    assert in_db(lambda: db.session.get(Referral, rid).status) == "hired"


def test_a_step_that_cannot_come_next_changes_nothing(user_client, in_db):
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    for status in ("hired", "asked", "x", ""):
        response = user_client.post_form(f"/referrals/{rid}/advance", {"status": status}, follow_redirects=True)
        assert "cannot become" in response.get_data(as_text=True)
    assert in_db(lambda: db.session.get(Referral, rid).status) == "asked"


def test_asking_twice_or_for_nobody_is_refused_next_to_the_field(user_client, in_db):
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    again = user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-02"})
    assert again.status_code == 400 and "already on this application" in again.get_data(as_text=True)
    nobody = user_client.post_form(f"/referrals/new/{opp}", {"contact": "999999", "asked_on": "2026-11-02"})
    assert nobody.status_code == 400 and "Choose one of your contacts" in nobody.get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(db.func.count(Referral.id)))) == 1


def test_edit_and_delete(user_client, in_db):
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    response = _post_page_form(user_client, f"/referrals/{rid}/edit", f"/referrals/{rid}/edit",
                               status="submitted", submitted_on="2026-11-02", notes="Sent my CV")
    assert response.status_code == 302
    got = in_db(lambda: (lambda r: (r.status, r.asked_on.isoformat(), r.submitted_on.isoformat(), r.notes))(
        db.session.get(Referral, rid)))
    assert got == ("submitted", "2026-11-01", "2026-11-02", "Sent my CV")
    bad = user_client.post_form(f"/referrals/{rid}/edit", {"status": "hired", "asked_on": "2026-11-01",
                                                           "outcome_on": "2026-10-01"})
    assert bad.status_code == 400 and "cannot come before you asked" in bad.get_data(as_text=True)
    assert user_client.post_form(f"/referrals/{rid}/delete").status_code == 302
    assert in_db(lambda: db.session.get(Referral, rid)) is None


def test_another_users_referral_is_404(app, user_client, in_db, make_user, login):
    from tests.conftest import FormClient

    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    assert mallory.get(f"/referrals/{rid}/edit").status_code == 404
    assert mallory.post_form(f"/referrals/{rid}/advance", {"status": "agreed"}).status_code == 404
    assert mallory.post_form(f"/referrals/{rid}/delete").status_code == 404
    assert mallory.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"}).status_code == 404
    assert mallory.get(f"/playbooks/referral_asked/referral/{rid}").status_code == 404
    assert in_db(lambda: db.session.get(Referral, rid).status) == "asked"


def test_ending_the_application_offers_each_referrals_outcome_then_reopening_puts_them_back(user_client, in_db):
    """Withdrawn, ghosted or accepted (rejected has its own playbook): the referrals it ended
    are offered their outcome playbook, one after the other, each step planned once."""
    jane, opp = _setup(user_client)
    response = user_client.post_form("/contacts/new", {"full_name": "Ben Roe", "role": "peer", "company": "Acme"})
    ben = int(response.headers["Location"].rsplit("/", 1)[-1])
    for contact in (jane, ben):
        user_client.post_form(f"/referrals/new/{opp}", {"contact": str(contact), "asked_on": "2026-11-01"})
    first, second = in_db(lambda: list(db.session.scalars(select(Referral.id).order_by(Referral.id))))

    response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "withdrawn"})
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{first}?")
    assert "Tell Jane Doe (Acme) how the referral for Backend Engineer ended" in user_client.get(preview).get_data(
        as_text=True)
    response = _post_page_form(user_client, preview, preview.split("?")[0])
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{second}?")
    assert _post_page_form(user_client, preview, preview.split("?")[0]).headers["Location"] == f"/opportunities/{opp}"
    def titles():
        return sorted(db.session.scalars(select(FollowUp.title).where(FollowUp.kind == "referral_thanks")))

    assert in_db(titles) == [f"Tell {name} (Acme) how the referral for Backend Engineer ended, and thank them"
                             for name in ("Ben Roe", "Jane Doe")]

    # Reopened: the referrals are asked again, and nothing has ended: the follow-ups to tell
    # them how it ended are dismissed.
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "offer"})
    assert in_db(lambda: [db.session.get(Referral, r).status for r in (first, second)]) == ["asked", "asked"]
    assert in_db(lambda: sorted(db.session.scalars(select(FollowUp.status).where(
        FollowUp.kind == "referral_thanks")))) == ["dismissed", "dismissed"]
    section = _referrals_section(user_client, opp)
    assert section.count("ended, and thank them</a> — dismissed") == 2 and "— due" not in section

    # Ghosted: not hired again, told already: nothing new to plan, no preview.
    response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "ghosted"})
    assert response.headers["Location"] == f"/opportunities/{opp}"
    # Accepted: hired, a new outcome: each referrer is offered the step again.
    response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "accepted"})
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{first}?")
    preview = _post_page_form(user_client, preview, preview.split("?")[0]).headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{second}?")
    assert _post_page_form(user_client, preview, preview.split("?")[0]).headers["Location"] == f"/opportunities/{opp}"
    assert in_db(lambda: [db.session.get(Referral, r).status for r in (first, second)]) == ["hired", "hired"]
    assert len(in_db(titles)) == 4
    assert _referrals_section(user_client, opp).count("ended, and thank them</a> — due 4 Nov 2026") == 2
    # Reopened and accepted again: the same outcome, nothing new.
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "offer"})
    response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "accepted"})
    assert response.headers["Location"] == f"/opportunities/{opp}"
    assert len(in_db(titles)) == 4


def _referrals_section(client, opp: int) -> str:
    page = client.get(f"/opportunities/{opp}").get_data(as_text=True)
    return page[page.index('id="referrals-h"'):page.index("</section>", page.index('id="referrals-h"'))]


def test_reopening_on_the_edit_form_dismisses_the_tell_how_it_ended_step_not_a_done_one(user_client, in_db):
    jane, opp = _setup(user_client)
    response = user_client.post_form("/contacts/new", {"full_name": "Ben Roe", "role": "peer", "company": "Acme"})
    ben = int(response.headers["Location"].rsplit("/", 1)[-1])
    for contact in (jane, ben):
        user_client.post_form(f"/referrals/new/{opp}", {"contact": str(contact), "asked_on": "2026-11-01"})
    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/opportunities/{opp}/status", status="ghosted")
    for _ in range(2):
        preview = response.headers["Location"]
        assert preview.startswith("/playbooks/referral_outcome/referral/")
        response = _post_page_form(user_client, preview, preview.split("?")[0])

    def steps():
        return dict(db.session.execute(select(FollowUp.contact_id, FollowUp.status).where(
            FollowUp.kind == "referral_thanks")).all())

    told_ben = in_db(lambda: db.session.scalar(select(FollowUp.id).where(FollowUp.contact_id == ben)))
    user_client.post_form(f"/followups/{told_ben}/complete", {})
    assert in_db(steps) == {jane: "open", ben: "done"}

    response = _post_page_form(user_client, f"/opportunities/{opp}/edit", f"/opportunities/{opp}/edit",
                               status="interviewing")
    assert response.headers["Location"] == f"/opportunities/{opp}"
    assert in_db(steps) == {jane: "dismissed", ben: "done"}
    section = _referrals_section(user_client, opp)
    assert "Tell Jane Doe (Acme) how the referral for Backend Engineer ended, and thank them</a> — dismissed" in section
    assert "Tell Ben Roe (Acme) how the referral for Backend Engineer ended, and thank them</a> — done" in section


def test_rejected_then_accepted_offers_the_hire_to_the_referrer_after_the_rejection_steps(user_client, in_db):
    """The rejection told the referrer "not hired"; the offer accepted after all is a hire,
    told once the rejection's steps are dismissed (kept, they still plan the telling)."""
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/opportunities/{opp}/status", status="rejected")
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/after_rejection/opportunity/{opp}?")
    _post_page_form(user_client, preview, preview.split("?")[0])
    assert in_db(lambda: db.session.scalar(select(FollowUp.title).where(FollowUp.kind == "referral_thanks"))) == (
        "Let Jane Doe (Acme) know how it ended and thank them for the referral")

    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/opportunities/{opp}/status", status="accepted")
    reopened = response.headers["Location"]
    assert reopened.startswith(f"/playbooks/after_rejection/opportunity/{opp}/reopened?")
    assert "Let Jane Doe (Acme) know how it ended" in user_client.get(reopened).get_data(as_text=True)
    response = _post_page_form(user_client, reopened, reopened.split("?")[0])
    response = user_client.get(response.headers["Location"])
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{rid}?")
    assert "Tell Jane Doe (Acme) how the referral for Backend Engineer ended" in user_client.get(preview).get_data(
        as_text=True)
    assert _post_page_form(user_client, preview, preview.split("?")[0]).headers["Location"] == f"/opportunities/{opp}"
    assert in_db(lambda: dict(db.session.execute(select(FollowUp.playbook_key, FollowUp.status).where(
        FollowUp.kind == "referral_thanks")).all())) == {
        f"after_rejection:opportunity:{opp}:referral_thanks:{jane}": "dismissed",
        f"referral_outcome:referral:{rid}:tell_outcome.hired:{jane}": "open"}


def test_rejected_then_accepted_keeping_the_rejection_steps_offers_nothing_twice(user_client, in_db):
    """"Keep them" on the rejection steps' page: the referrer's "let them know how it ended"
    stays planned, and "Keep them" goes on to the application, with no outcome preview."""
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/opportunities/{opp}/status", status="rejected")
    _post_page_form(user_client, response.headers["Location"], response.headers["Location"].split("?")[0])
    response = _post_page_form(user_client, f"/opportunities/{opp}", f"/opportunities/{opp}/status", status="accepted")
    page = user_client.get(response.headers["Location"]).get_data(as_text=True)
    keep = re.search(r'<a class="button secondary" href="([^"]+)">Keep them</a>', page).group(1).replace("&amp;", "&")
    assert user_client.get(keep).headers.get("Location", keep) == f"/opportunities/{opp}"
    assert in_db(lambda: db.session.scalar(select(db.func.count(FollowUp.id)).where(
        FollowUp.kind == "referral_thanks", FollowUp.status == "open"))) == 1


def test_accepting_on_the_edit_form_offers_the_referrals_outcome(user_client, in_db):
    jane, opp = _setup(user_client)
    user_client.post_form(f"/referrals/new/{opp}", {"contact": str(jane), "asked_on": "2026-11-01"})
    rid = in_db(lambda: db.session.scalar(select(Referral.id)))
    response = _post_page_form(user_client, f"/opportunities/{opp}/edit", f"/opportunities/{opp}/edit",
                               status="accepted")
    preview = response.headers["Location"]
    assert preview.startswith(f"/playbooks/referral_outcome/referral/{rid}?")
    assert _post_page_form(user_client, preview, preview.split("?")[0]).status_code == 302
    assert in_db(lambda: db.session.scalar(select(FollowUp.title).where(FollowUp.kind == "referral_thanks"))) == (
        "Tell Jane Doe (Acme) how the referral for Backend Engineer ended, and thank them")
