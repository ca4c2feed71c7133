"""The lists' rows written in Python (issue 17: the same bytes as the Jinja they replace, for
less CPU): the contacts list's <tr>, the faces kept per name, the short days. Each is compared
with the template or the formula it replaced, on names and text chosen to break them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from markupsafe import Markup

from tracker.domain import faces
from tracker.services.contact_list import ContactRow
from tracker.templating import face_html, initials_face
from tracker.views.common import short_day

NAMES = ["", " ", "Ada Lovelace", "ada", "(Acme) — 3rd", "Ünal Øberg-Ærø", "李小龙", "Zoë O'Brien-Smith",
         '<b onmouseover="x">Zed</b> "Evil" & Co', "Jean-Luc " * 60, "\u0065\u0301mile Zola", "🙂 Smiley"]


@pytest.mark.parametrize("name", NAMES, ids=[repr(n)[:24] for n in NAMES])
@pytest.mark.parametrize("size", ["", "tiny", '"><x>'])
def test_a_kept_face_is_the_face_derived_from_the_name(name, size):
    from markupsafe import escape

    expected = (f'<span class="face face-{faces.colour_index(name)} {escape(size)}" aria-hidden="true">'
                f'{escape(faces.initials(name))}</span>')
    assert initials_face(name, size) == expected
    assert initials_face(name, size) is initials_face(name, size)  # kept, not derived again
    assert "<b" not in initials_face(name, size) and "<x>" not in initials_face(name, size)


DAYS = [date(2026, m, d) for m, d in ((1, 1), (2, 28), (3, 9), (6, 30), (9, 15), (12, 31))] + [
    date(2025, 12, 31), date(2027, 1, 1), date(1, 1, 1), date(9999, 12, 31)]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_a_short_day_is_strftimes(day):
    today = date(2026, 3, 10)
    assert short_day(day, today) == f"{day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")
    assert short_day(datetime(day.year, day.month, day.day, tzinfo=timezone.utc), today) == short_day(day, today)
    assert short_day(None, today) == ""


# The row as templates/contacts/index.html wrote it before views/contacts.py _rows did.
_JINJA_ROW = """\
  {% for c, href, company_href, tag_links, last_day, due_day, badge in rows %}
    <tr>
      <td class="pick"><input type="checkbox" name="ids" value="{{ c.id }}" form="bulk" id="pick-{{ c.id }}" aria-label="Select {{ c.full_name }}"></td>
      <td><span class="name-with-face">{{ face(c) }}<span><a href="{{ href }}">{{ c.full_name }}</a>{% if c.title %}<br><span class="muted small">{{ c.title }}</span>{% endif %}</span></span></td>
      <td>{{ c.role_label }}</td>
      <td>{% if company_href %}<a href="{{ company_href }}">{{ c.company_name }}</a>{% endif %}</td>
      <td class="email">{% if c.email %}{{ c.email|email_wrap }}{% endif %}</td>
      <td>{% for name, tag_href in tag_links %}<a class="tag" href="{{ tag_href }}">{{ name }}</a> {% endfor %}</td>
      <td data-label="Last contacted">{% if last_day %}{{ last_day }}{% else %}<span class="muted">never</span>{% endif %}</td>
      <td data-label="Next due">{{ due_day }}{% if badge %} <span class="badge {{ badge[1] }}">{{ badge[0] }}</span>{% endif %}</td>
    </tr>
  {% endfor %}
"""


def _row(id, full_name, **fields) -> ContactRow:
    values = dict(title="", role="peer", company_id=None, company_name=None, last_touch_on=None, due_soon_on=None,
                  due_on=None, losing_touch_on=None, archived_at=None, no_reminders=False, unscheduled=False,
                  sort_name=full_name.casefold(), created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                  vcard_extra="")
    values.update(fields)
    return ContactRow(id, full_name, *values.values())


def test_the_contacts_row_is_the_templates_bytes(app):
    from flask import render_template_string, url_for

    from tracker.services import kept_agenda
    from tracker.views.contacts import STATE_LABELS, _rows

    today = date(2026, 3, 10)
    items = [
        _row(1, '<script>alert("x")</script> & Ünal', title='CTO <i>&</i> "founder"', role="recruiter", company_id=7,
             company_name="R&D <Labs> 'quoted'", email='a&b<c>@ex.ample.org', tags=["a&b", "<tag>", "ünï"],
             last_touch_on=date(2025, 11, 3), due_on=date(2026, 3, 1), due_soon_on=date(2026, 2, 20),
             losing_touch_on=date(2026, 6, 1)),
        _row(2, "", role="nonsense", due_on=date(2026, 3, 10), due_soon_on=date(2026, 3, 5),
             losing_touch_on=date(2026, 9, 1), last_touch_on=date(2026, 2, 8)),
        _row(3, "Jean-Luc " * 60, unscheduled=True, tags=["x"]),
        _row(4, "李小龙", archived_at=datetime(2026, 1, 1, tzinfo=timezone.utc), due_on=date(2027, 1, 5), company_id=8,
             company_name=""),
        _row(5, "Ada Lovelace", no_reminders=True, email="ada@example.com", tags=["a&b"]),
    ]
    with app.test_request_context("/contacts/"):
        reference = [(c, url_for("contacts.show", contact_id=c.id),
                      url_for("companies.show", company_id=c.company_id) if c.company_id else "",
                      [(t, url_for("contacts.index", tag=t)) for t in c.tags],
                      f"{c.last_touch_on.day} {c.last_touch_on:%b}" + (
                          "" if c.last_touch_on.year == today.year else f" {c.last_touch_on.year}") if c.last_touch_on else "",
                      f"{c.due_on.day} {c.due_on:%b}" + (
                          "" if c.due_on.year == today.year else f" {c.due_on.year}") if c.due_on else "",
                      STATE_LABELS.get(kept_agenda.state_of(c, today))) for c in items]
        expected = render_template_string(_JINJA_ROW, rows=reference, face=face_html)
        rows = _rows(items, today)
    assert "".join(rows) == expected
    assert "<script>" not in expected and "<tag>" not in expected and "<Labs>" not in expected
    assert {badge for *_, badge in reference} >= {None, ("Unscheduled", ""), ("Overdue", "danger")}  # badges and none


# A card as templates/opportunities/index.html wrote it before views/opportunities.py _cards did
# (its Face then carried the initials and colour the filters derive).
_JINJA_CARD = """\
        {% for o in cards %}
        <li class="opp-card" data-opportunity="{{ o.id }}">
          <a class="opp-title" href="{{ base }}{{ o.id }}">{{ o.title }}</a>
          {% if o.company %}<span class="muted small">{{ o.company }}</span>{% endif %}
          {% if o.next %}<span class="next-step"><span class="visually-hidden">Next: </span>{{ o.next.label }} · {{ o.next.on|day(year=false) }}</span>
          {% elif o.interviews %}<span class="small">{{ o.interviews }} interview{{ 's' if o.interviews != 1 }}</span>{% endif %}
          {% if o.deadline_due %}<span class="small">Apply by {{ o.deadline_on|day(year=false) }}</span>{% endif %}
          {% if o.faces %}
          <span class="faces" role="list" aria-label="People">
            {% for f in o.faces %}<span role="listitem" title="{{ f.name }}">
              {%- if f.photo %}<img class="face tiny" src="{{ url_for('people.photo', contact_id=f.id) }}" alt="" loading="lazy" width="32" height="32">
              {%- else %}<span class="face face-{{ f.name|face_colour }} tiny" aria-hidden="true">{{ f.name|initials }}</span>{% endif -%}
              <span class="visually-hidden">{{ f.name }}</span></span>{% endfor %}
            {% if o.more %}<span role="listitem" class="small muted">+{{ o.more }}<span class="visually-hidden"> more</span></span>{% endif %}
          </span>
          {% endif %}
          <button type="submit" form="move-{{ status }}" name="opportunity" value="{{ o.id }}" class="secondary small move-button"
                  aria-label="Move {{ o.title }}">Move</button>
        </li>
        {% endfor %}
"""


def test_a_board_card_is_the_templates_bytes(app):
    from flask import render_template_string, url_for

    from tracker import clock
    from tracker.services.board import Board, Card, Column, Face, NextStep
    from tracker.views.opportunities import _cards

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def face(id, name, photo=False):
        return Face(id, name, photo)

    cards = [
        Card(1, '<script>x()</script> & "Lead"', "applied", "R&D <Labs>", date(2026, 4, 1), 3,
             [face(5, '<b onmouseover="x">Zed</b> & Ünal'), face(6, "", photo=True), face(7, "李小龙")], more=4,
             next=NextStep("Onsite <b>interview</b> & lunch", date(2027, 1, 2))),
        Card(2, "Data Engineer", "interested", "", date(2026, 3, 1), 1, next=None),
        Card(3, "Jean-Luc " * 40, "interested", "Acme", date(2025, 12, 30), 0,
             [face(8, "Ada Lovelace")], next=NextStep("Write back", date(2026, 3, 11))),
        Card(4, "", "offer", "Acme", None, 2, []),
    ]
    board = Board({"interested": Column("interested", cards[1:3], 2), "applied": Column("applied", cards[:1], 1),
                   "offer": Column("offer", cards[3:], 1), "rejected": Column("rejected", [], 0)})
    with app.test_request_context("/opportunities/"):
        ours = _cards(board)
        for status, column in board.columns.items():
            expected = render_template_string(_JINJA_CARD, cards=column.cards, status=status,
                                              base=url_for("opportunities.index"))
            assert "".join(ours[status]) == expected
    written = "".join(html for column in ours.values() for html in column)
    assert "<script>" not in written and "<b>" not in written and "<b onmouseover" not in written and "<Labs>" not in written
    assert "2 Jan 2027" in written and "Apply by 1 Mar<" in written and "1 interview<" in written


# A row as templates/followups/index.html wrote it before views/followups.py _rows did.
_JINJA_FOLLOWUP = """\
{% set csrf_field, next_url = csrf_input(), request.full_path %}
  {% for f, page_url, contact_url, due, badge, has_draft in rows %}
  <li class="fu-row fu-card">{% if f.contact %}{{ face(f.contact) }}{% else %}<span class="face face-9" aria-hidden="true">·</span>{% endif %}
<div class="fu-row-main"><a class="fu-row-title" href="{{ page_url }}">{{ f.title }}</a>
<p class="fu-row-meta">{% if f.contact %}<a href="{{ contact_url }}">{{ f.contact.full_name }}</a> · {% endif %}{{ due }} · {{ fu_origins[f.origin] }}{% if f.opportunity_title %} · {{ f.opportunity_title }}{% endif %}</p></div>
<div class="fu-row-side">{% if badge %}<span class="badge {{ badge[1] }}">{{ badge[0] }}</span>{% endif %}
{% if f.status in ('open', 'snoozed') %}<form method="post" action="{{ page_url }}/complete" class="done-form">{{ csrf_field }}<input type="hidden" name="next" value="{{ next_url }}">
<button type="submit" class="small">Done<span class="visually-hidden">: {{ f.title }}</span></button></form>{% endif %}</div>
<details class="fu-more" data-more-from="{{ page_url }}"><summary>More<span class="visually-hidden"> for {{ f.title }}</span></summary>
{% if has_draft %}<details class="draft" data-draft data-draft-from="{{ page_url }}"><summary>Message draft</summary>
<p class="hint" data-draft-fallback><a href="{{ page_url }}#draft-h">Open the draft</a> on the follow-up's page.</p></details>{% endif %}
<p class="hint" data-more-fallback><a href="{{ page_url }}">{% if f.status in ('open', 'snoozed') %}Log a touchpoint, snooze or dismiss{% else %}Reopen it{% endif %}</a> on the follow-up's page.</p></details></li>
  {% endfor %}
"""


def test_a_follow_up_row_is_the_templates_bytes(app):
    from datetime import time

    from flask import render_template_string, url_for

    from tracker.services.followups import ContactRef, FollowUpRow
    from tracker.views.dashboard import due_words
    from tracker.views.followups import _rows, status_badge

    today = date(2026, 3, 10)
    hostile = '<script>x()</script> & "quoted"'

    def row(id, status, due_on, *, kind="other", snoozed=None, at=None, origin="manual", contact=None, about=None,
            title="Send the deck"):
        return FollowUpRow(id, title, kind, status, due_on, at, snoozed, origin,
                           datetime(2026, 1, 1), contact, about)

    items = [
        row(1, "open", date(2026, 3, 1), kind="thank_you", at=time(9, 5), title=hostile,
            contact=ContactRef(11, hostile + " Ünal", ""), about="R&D <Lead>"),
        row(2, "snoozed", date(2026, 3, 1), snoozed=date(2027, 1, 4), contact=ContactRef(12, "", "")),
        row(3, "snoozed", date(2026, 3, 10), snoozed=None, title=""),
        row(4, "done", date(2025, 12, 31), kind="thank_you", contact=ContactRef(13, "李小龙", "")),
        row(5, "dismissed", date(2026, 3, 11), about="Data Engineer"),
        row(7, "open", date(2026, 3, 20), origin="playbook", contact=ContactRef(15, "Ada Lovelace", "")),
        row(6, "open", date(2026, 3, 10), at=time(23, 59), contact=ContactRef(14, "Jean-Luc " * 50, "")),
    ]
    draft_kinds = {"thank_you"}
    with app.test_request_context("/followups/?status=all&after=3&q=<x>&r=a\"b"):
        from tracker.models.followups import ORIGINS

        reference = []
        for f in items:
            if f.status == "snoozed" and f.snoozed_until:
                due = f"snoozed until {short_day(f.snoozed_until, today)}"
            else:
                due = f"due {due_words(f.due_on, today)}"
            if f.due_time:
                due += f" at {f.due_time:%H:%M}"
            reference.append((f, url_for("followups.show", followup_id=f.id),
                              url_for("contacts.show", contact_id=f.contact.id) if f.contact else "", due,
                              status_badge(f, today), f.kind in draft_kinds))
        expected = render_template_string(_JINJA_FOLLOWUP, rows=reference, face=face_html, fu_origins=ORIGINS)
        ours = "".join(_rows(items, today, draft_kinds))
    assert ours == expected
    assert "<script>" not in ours and "<Lead>" not in ours and 'r=a"b' not in ours
    assert {badge for *_, badge, _ in reference} >= {None, ("Overdue", "danger"), ("Done", "ok"), ("Snoozed", "")}


TEXTS = ["", "plain", "<script>alert('x')</script>", 'a "quoted" & <b>', "ünï ✓ 🙂", "&amp; already", "x" * 5000]


@pytest.mark.parametrize("value", TEXTS, ids=[repr(t)[:20] for t in TEXTS])
def test_html_text_is_markupsafes_escape(value):
    from markupsafe import escape

    from tracker.templating import email_wrap
    from tracker.views.common import html_text

    assert html_text(value) == str(escape(value)) and type(html_text(value)) is str
    assert email_wrap(value) == str(escape(value)).replace("@", "@<wbr>").replace(".", ".<wbr>")


# A row as templates/opportunities/index.html's list wrote it before views/opportunities.py _list_rows did.
_JINJA_OPPORTUNITY = """\
    {% for o, url, company_url, applied, apply_by in rows %}
      <tr>
        <td><a href="{{ url }}">{{ o.title }}</a></td>
        <td>{% if company_url %}<a href="{{ company_url }}">{{ o.company_name }}</a>{% endif %}</td>
        <td>{{ o.location }}{% if o.location and o.work_mode %} · {% endif %}{{ o.work_mode_label }}</td>
        <td><span class="badge status-{{ o.status }}">{{ o.status_label }}</span></td>
        <td>{{ applied }}</td>
        <td>{{ apply_by }}</td>
        <td>{{ o.interviews }}</td>
      </tr>
    {% endfor %}
"""


def test_an_opportunity_row_is_the_templates_bytes(app):
    from flask import render_template_string, url_for

    from tracker.services.pipeline import Row
    from tracker.templating import format_day
    from tracker.views.opportunities import _list_rows

    updated = datetime(2026, 3, 1, tzinfo=timezone.utc)
    items = [
        Row(1, '<script>x()</script> & "Lead"', "interested", updated, "Berlin <Mitte> & Remote", "hybrid",
            None, date(2026, 4, 1), 7, "R&D <Labs>", 3),
        Row(2, "Data Engineer", "applied", updated, "", "remote", date(2025, 12, 31), date(2026, 1, 2), None, None, 0),
        Row(3, "Jean-Luc " * 40, "offer", updated, "Zürich", "", date(2026, 3, 9), None, 8, "", 1),
        Row(4, "", "rejected", updated, "", "", None, None, None, None, 12),
    ]
    with app.test_request_context("/opportunities/?view=list"):
        reference = [(o, url_for("opportunities.show", opportunity_id=o.id),
                      url_for("companies.show", company_id=o.company_id) if o.company_id else "",
                      format_day(o.applied_on), format_day(o.deadline_on) if o.deadline_due else "") for o in items]
        expected = render_template_string(_JINJA_OPPORTUNITY, rows=reference)
        ours = "".join(_list_rows(items))
    assert ours == expected
    assert "<script>" not in ours and "<Mitte>" not in ours and "<Labs>" not in ours and "1 Apr 2026" in ours


# The bulk form's fixed controls as templates/contacts/index.html wrote them per request, and as
# it writes them from views/contacts.py _bulk_controls (rendered once per process).
_JINJA_BULK_BEFORE = """\
    <div class="field">{{ f.action.label() }} {{ f.action() }}</div>
    <div class="field">{{ f.days.label() }} {{ f.days(min=1, max=3650, class_="days-input") }}</div>
    <div class="field">{{ f.tag.label() }} {{ f.tag(list="bulk-tag-names") }}</div>
    <div class="field">{{ f.new_company.label() }} {{ f.new_company() }}</div>
      <div class="field">{{ f.channel.label() }} {{ f.channel() }}</div>
      <fieldset class="field"><legend>{{ f.direction.label.text }}</legend>
        {% for option in f.direction %}<label class="check">{{ option() }} {{ option.label.text }}</label> {% endfor %}</fieldset>
      <div class="field grow">{{ f.summary.label() }} {{ f.summary() }}</div>
"""
_JINJA_BULK_AFTER = """\
    <div class="field">{{ bulk_controls.action }}</div>
    <div class="field">{{ bulk_controls.days }}</div>
    <div class="field">{{ bulk_controls.tag }}</div>
    <div class="field">{{ bulk_controls.new_company }}</div>
      <div class="field">{{ bulk_controls.channel }}</div>
      <fieldset class="field">{{ bulk_controls.direction }}</fieldset>
      <div class="field grow">{{ bulk_controls.summary }}</div>
"""


def test_the_bulk_forms_fixed_controls_are_the_forms_own_html(app):
    from flask import render_template_string

    from tracker.forms.bulk import BulkForm
    from tracker.views.contacts import _bulk_controls

    with app.test_request_context("/contacts/"):
        before = render_template_string(_JINJA_BULK_BEFORE, f=BulkForm(formdata=None, meta={"csrf": False}))
        assert render_template_string(_JINJA_BULK_AFTER, bulk_controls=_bulk_controls()) == before
    assert before.count("<option") >= 10 and 'id="bulk-action"' in before and 'type="radio"' in before


@pytest.mark.parametrize("value", [None, 7, Markup("<b>kept</b>"), Markup("a & b")], ids=["None", "int", "markup", "markup-amp"])
def test_html_text_takes_what_is_not_a_str_as_markupsafe_does(value):
    """The C escaper alone fails on anything but a str (a SystemError: a 500 for a None);
    html_text hands the rest to markupsafe.escape, which keeps a Markup as it is."""
    from markupsafe import escape

    from tracker.views.common import html_text

    assert html_text(value) == str(escape(value)) and type(html_text(value)) is str
