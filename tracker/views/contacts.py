from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker import clock
from tracker.extensions import db
from tracker.forms.bulk import BulkForm
from tracker.forms.contacts import ContactForm
from tracker.forms.data import contact_data
from tracker.models import Contact
from tracker.models.contacts import ROLES, SOURCES
from tracker.services import bulk as bulk_service
from tracker.services import contacts as service
from tracker.services import merge as merge_service
from tracker.services.companies import company_names
from tracker.services import contact_page as page_service
from tracker.services import kept_agenda
from tracker.services.contact_list import contact_page, tag_names
from tracker.services.search import SORT_NEEDS, SORTS, ContactQuery
from tracker.templating import email_wrap, face_html, plural
from tracker.views.common import html_text, id_url, keyset_args, owned_or_404, per_page, short_day
from tracker.views.activity import contact_timeline
from tracker.views.followups import cadence_card
from tracker.views.playbooks import preview_url

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
STATUS_FILTERS = {"unscheduled": "Not scheduled (imported)"}
# The list's status badge: (words, badge class) per kept_agenda.state_of; "ok" shows none.
STATE_LABELS = {"due_soon": ("Due soon", "warn"), "due": ("Due today", "warn"), "overdue": ("Overdue", "danger"),
                "losing_touch": ("Losing touch", "danger"), "unscheduled": ("Unscheduled", "")}


def _query(args, tag_key: str = "tag") -> ContactQuery:
    """The contacts list's filters from query arguments (or the bulk form's copy of them)."""
    return ContactQuery(
        q=args.get("q", "").strip(), role=args.get("role", ""),
        tag=args.get(tag_key, ""), company_id=args.get("company", type=int),
        archived=args.get("archived") == "1",
        sort=args.get("sort", "name") if args.get("sort") in SORTS else "name", **keyset_args(),
        status=args.get("status", "") if args.get("status") in STATUS_FILTERS else "",
        source=args.get("source", "") if args.get("source") in SOURCES else "",
    )


def _list_args(query: ContactQuery) -> dict:
    """Query arguments that show the list for `query` again (empty ones left out)."""
    args = {"q": query.q, "role": query.role, "tag": query.tag, "company": query.company_id,
            "archived": "1" if query.archived else None, "status": query.status, "source": query.source}
    return {k: v for k, v in args.items() if v}


@bp.get("/")
def index():
    query = _query(request.args)
    if kept_agenda.ensure_current(current_user):  # first read after an upgrade: fill once
        db.session.commit()
    page = contact_page(current_user, query, per_page())
    today = clock.today(current_user.timezone)
    bulk_form = BulkForm(formdata=None, data={"q": query.q, "role": query.role, "list_tag": query.tag,
                                              "company": query.company_id or "", "archived": "1" if query.archived else "",
                                              "status": query.status, "source": query.source, "happened_on": today})
    return render_template("contacts/index.html", page=page, query=query, roles=ROLES, status_filters=STATUS_FILTERS,
                           sort_note=SORT_NEEDS.get(query.sort), rows=_rows(page.items, today),
                           tags=tag_names(current_user), bulk_form=bulk_form, bulk_controls=_bulk_controls(),
                           list_args=_list_args(query))


@lru_cache(maxsize=1)
def _bulk_controls() -> dict[str, Markup]:
    """The bulk form's controls that read nothing of the request, WTForms' own HTML rendered
    once per process: the labels and inputs of the action, days, tag, new company, channel
    and summary, and the direction's legend and radios. Rendered per request they cost about a tenth of
    the list's page (two selects of a dozen options, seven labels). The form's token, its
    filters and its date are the request's (bulk_form)."""
    f = BulkForm(formdata=None, meta={"csrf": False})
    pairs = {"action": f.action(), "days": f.days(min=1, max=3650, class_="days-input"),
             "tag": f.tag(list="bulk-tag-names"), "new_company": f.new_company(), "channel": f.channel(),
             "summary": f.summary()}
    controls = {name: f[name].label() + Markup(" ") + field for name, field in pairs.items()}
    controls["direction"] = Markup("<legend>{}</legend>\n").format(f.direction.label.text) + Markup("").join(
        Markup('<label class="check">{} {}</label> ').format(option(), option.label.text) for option in f.direction)
    return controls


def _rows(items: list, today) -> list[Markup]:
    """Each contact's <tr> of the list (its face, name and title, role, company, email, tags,
    last contacted, next due and badge), written here rather than in the template: the row
    loop was half of the page's cost in Jinja (a dozen attribute look-ups, escapes and yields
    a row, and a call for the face); a row is one f-string. Every piece of user text is
    escaped. Addresses are built once a page (views.common.id_url), days with one `today`."""
    contact_url, company_url = id_url("contacts.show", "contact_id"), id_url("companies.show", "company_id")
    tag_urls = {name: html_text(url_for("contacts.index", tag=name)) for name in {t for c in items for t in c.tags}}
    rows = []
    for c in items:
        name = html_text(c.full_name)
        last_day = short_day(c.last_touch_on, today) or '<span class="muted">never</span>'
        title = f'<br><span class="muted small">{html_text(c.title)}</span>' if c.title else ""
        company = f'<a href="{html_text(company_url(c.company_id))}">{html_text(c.company_name)}</a>' if c.company_id else ""
        tags = "".join(f'<a class="tag" href="{tag_urls[t]}">{html_text(t)}</a> ' for t in c.tags)
        badge = STATE_LABELS.get(kept_agenda.state_of(c, today))
        badge = f' <span class="badge {badge[1]}">{badge[0]}</span>' if badge else ""
        rows.append(Markup(
            f'    <tr>\n'
            f'      <td class="pick"><input type="checkbox" name="ids" value="{c.id}" form="bulk" id="pick-{c.id}"'
            f' aria-label="Select {name}"></td>\n'
            f'      <td><span class="name-with-face">{face_html(c)}<span><a href="{html_text(contact_url(c.id))}">{name}</a>'
            f'{title}</span></span></td>\n'
            f'      <td>{html_text(c.role_label)}</td>\n'
            f'      <td>{company}</td>\n'
            f'      <td class="email">{email_wrap(c.email) if c.email else ""}</td>\n'
            f'      <td>{tags}</td>\n'
            f'      <td data-label="Last contacted">{last_day}</td>\n'
            f'      <td data-label="Next due">{short_day(c.due_on, today)}{badge}</td>\n'
            f'    </tr>\n'))
    return rows


@bp.post("/bulk")
def bulk():
    """One action on the ticked contacts or on all that match the list's filters; one transaction."""
    form = BulkForm()
    query = _query(request.form, tag_key="list_tag")
    back = url_for("contacts.index", **_list_args(query))
    if not form.validate_on_submit():
        flash("Nothing was changed: " + " ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    ids = bulk_service.matching_ids(current_user, query) if form.scope.data == "matching" else form.ids.data or []
    if request.form.get("export"):
        if not ids:
            flash("Nothing to export: tick the contacts first, or use “Export all matching”.", "error")
            return redirect(back)
        if form.scope.data == "matching":
            return redirect(url_for("transfer.export", scope="matching", **_list_args(query)))
        return redirect(url_for("transfer.export", ids=bulk_service.owned_ids(current_user, ids)))
    try:
        count = bulk_service.apply(current_user, ids, bulk_service.BulkInput(
            action=form.action.data, days=form.days.data, tag=form.tag.data or "", channel=form.channel.data,
            inbound=form.direction.data == "in", happened_on=form.happened_on.data, summary=form.summary.data or "",
            new_company=form.new_company.data or ""))
    except bulk_service.BulkError as e:
        db.session.rollback()
        flash(f"Nothing was changed: {e}", "error")
        return redirect(back)
    db.session.commit()
    flash(_done(form, count), "success")
    return redirect(back)


def _done(form: BulkForm, count: int) -> str:
    people, tag = plural(count, "contact"), " ".join((form.tag.data or "").split())
    return {
        "keep_in_touch": f"Keeping in touch with {people}, on the proposed cadence.",
        "keep_every": f"Keeping in touch with {people}, every {plural(form.days.data or 0, 'day')}.",
        "no_reminders": f"No more reminders for {people}.",
        "archive": f"{people.capitalize()} archived.",
        "unarchive": f"{people.capitalize()} back in your contacts.",
        "tag": f"Tag {tag} added to {people}.",
        "untag": f"Tag {tag} removed from {people}.",
        "log_touchpoint": f"One touchpoint logged with {people}.",
        "move_company": (f"{people.capitalize()} moved to {' '.join((form.new_company.data or '').split())}; "
                         "the positions they left are kept." if (form.new_company.data or "").strip()
                         else f"{people.capitalize()}: no company now; the positions they left are kept."),
    }[form.action.data]


def _form_page(form: ContactForm, contact: Contact | None, status: int = 200, duplicates=()):
    return render_template("contacts/form.html", form=form, contact=contact, duplicates=duplicates,
                           companies=company_names(current_user)), status


def _duplicates(form: ContactForm, contact: Contact | None) -> list:
    """Contacts the submitted one would repeat, unless the person chose "Save anyway"."""
    if request.form.get("save_anyway") == "1":
        return []
    return merge_service.possible_duplicates(current_user, form.to_input(), contact)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = ContactForm()
    if form.validate_on_submit():
        if duplicates := _duplicates(form, None):
            return _form_page(form, None, 200, duplicates)
        contact = service.save_contact(current_user, None, form.to_input())
        db.session.commit()
        flash(f"{contact.full_name} is added.", "success")
        page = url_for("contacts.show", contact_id=contact.id)
        if contact.role == "event_acquaintance":  # offer the playbook's steps first
            return redirect(preview_url("event_acquaintance", "contact", contact.id, page) or page)
        return redirect(page)
    return _form_page(form, None, 400 if form.is_submitted() else 200)


@bp.get("/<int:contact_id>")
def show(contact_id: int):
    today = clock.today(current_user.timezone)
    page = page_service.contact_page(current_user, contact_id, today)
    if page is None:  # missing or another user's: the same 404
        abort(404)
    contact = page.contact
    return render_template("contacts/show.html", contact=contact, positions=page.positions,
                           contact_referrals=page.referrals, referral_day=page_service.referral_day,
                           **contact_timeline(contact, page.last_contacted, page.touch_months),
                           **cadence_card(contact, page.followups, page.cadence_input))


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    form = ContactForm() if request.method == "POST" else ContactForm(data=contact_data(contact))
    form.known_birthday = contact.birthday
    if form.validate_on_submit():
        if duplicates := _duplicates(form, contact):
            return _form_page(form, contact, 200, duplicates)
        service.save_contact(current_user, contact, form.to_input())
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    return _form_page(form, contact, 400 if form.is_submitted() else 200)


@bp.post("/<int:contact_id>/archive")
def archive(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    archived = request.form.get("archived", "1") == "1"
    service.set_archived(contact, archived)
    db.session.commit()
    flash(f"{contact.full_name} is {'archived' if archived else 'back in your contacts'}.", "success")
    return redirect(url_for("contacts.show", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
def delete(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    if request.method == "POST":
        name = contact.full_name
        service.delete_contact(contact)
        db.session.commit()
        flash(f"{name} is deleted.", "success")
        return redirect(url_for("contacts.index"))
    return render_template("contacts/delete.html", contact=contact)
