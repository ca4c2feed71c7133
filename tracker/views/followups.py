"""Follow-ups: the list, create/edit, complete (with a touchpoint), snooze, dismiss, reopen;
and the contact page's cadence choice (accept, own interval, don't remind me, back to the proposal)."""
from __future__ import annotations

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.forms import choices
from tracker import clock
from tracker.extensions import db
from tracker.forms.data import followup_data
from tracker.forms.followups import CadenceForm, CompleteForm, FollowUpForm, SnoozeForm
from tracker.models import Contact, FollowUp, Interview, Opportunity
from tracker.models.followups import ORIGINS
from tracker.services import cadence as cadence_service
from tracker.services import followups as service
from tracker.services.interviews import user_interviews
from tracker.services.opportunities import user_opportunities
from tracker.services.touchpoints import TouchpointError, user_contacts
from tracker.templating import csrf_input, face_html, format_day
from tracker.views.dashboard import due_words
from tracker.views.common import html_text, id_url, keyset_args, owned_or_404, per_page, safe_next, short_day

bp = Blueprint("followups", __name__, url_prefix="/followups")


def _today():
    return clock.today(current_user.timezone)


@bp.get("/")
def index():
    args = request.args
    query = service.FollowUpQuery(
        status=args.get("status") if args.get("status") in service.STATUS_FILTERS else "active",
        due=args.get("due") if args.get("due") in service.DUE_FILTERS else "all",
        origin=args.get("origin") if args.get("origin") in ORIGINS else "",
        contact_id=args.get("contact", type=int), **keyset_args())
    contact = service.owned(current_user, Contact, query.contact_id)
    today = _today()
    page = service.list_followups(current_user, query, today, per_page())
    # Drafts are filled in on the follow-up's page, fetched when a row's draft is opened: a
    # draft for each of 50 rows was a third of this page's CPU and most of its bytes.
    return render_template("followups/index.html", page=page, query=query, contact=contact,
                           rows=_rows(page.items, today, service.user_templates(current_user).keys()),
                           statuses=service.STATUS_FILTERS, dues=service.DUE_FILTERS)


def _rows(items: list, today, draft_kinds) -> list[Markup]:
    """Each follow-up's <li> of the list (templates/followups/index.html says what a row holds):
    written here rather than in the template, where 50 rows of attribute look-ups, escapes and
    yields and a call for each face were most of the page's cost. Every piece of user text is
    escaped. Addresses are built once a page (views.common.id_url), days with one `today`, one
    CSRF field and one "next" address for every row's Done form."""
    page_url, contact_url = id_url("followups.show", "followup_id"), id_url("contacts.show", "contact_id")
    csrf_field, next_url = csrf_input(), html_text(request.full_path)
    rows = []
    for f in items:
        url, title, active = html_text(page_url(f.id)), html_text(f.title), f.status in ("open", "snoozed")
        if f.status == "snoozed" and f.snoozed_until:
            due = f"snoozed until {short_day(f.snoozed_until, today)}"
        else:
            due = f"due {due_words(f.due_on, today)}"
        if f.due_time:
            due += f" at {f.due_time:%H:%M}"
        if f.contact:
            face = face_html(f.contact)
            who = f'<a href="{html_text(contact_url(f.contact.id))}">{html_text(f.contact.full_name)}</a> · '
        else:
            face, who = '<span class="face face-9" aria-hidden="true">·</span>', ""
        about = f" · {html_text(f.opportunity_title)}" if f.opportunity_title else ""
        badge = status_badge(f, today)
        badge = f'<span class="badge {badge[1]}">{badge[0]}</span>' if badge else ""
        done = (f'<form method="post" action="{url}/complete" class="done-form">{csrf_field}'
                f'<input type="hidden" name="next" value="{next_url}">\n'
                f'<button type="submit" class="small">Done<span class="visually-hidden">: {title}</span></button></form>'
                if active else "")
        draft = (f'<details class="draft" data-draft data-draft-from="{url}"><summary>Message draft</summary>\n'
                 f'<p class="hint" data-draft-fallback><a href="{url}#draft-h">Open the draft</a>'
                 f" on the follow-up's page.</p></details>" if f.kind in draft_kinds else "")
        rows.append(Markup(
            f'  <li class="fu-row fu-card">{face}<div class="fu-row-main">'
            f'<a class="fu-row-title" href="{url}">{title}</a>\n'
            f'<p class="fu-row-meta">{who}{html_text(due)} · {html_text(ORIGINS[f.origin])}{about}</p></div>\n'
            f'<div class="fu-row-side">{badge}{done}</div>\n'
            f'<details class="fu-more" data-more-from="{url}"><summary>More<span class="visually-hidden"> for {title}'
            f'</span></summary>\n{draft}<p class="hint" data-more-fallback><a href="{url}">'
            f'{"Log a touchpoint, snooze or dismiss" if active else "Reopen it"}</a>'
            f" on the follow-up's page.</p></details></li>\n"))
    return rows


def status_badge(f, today) -> tuple[str, str] | None:
    """The follow-up's badge, (words, badge class), or None: done, dismissed, snoozed (until a
    day still ahead), overdue, today."""
    due = f.effective_due_on
    if f.status == "done":
        return "Done", "ok"
    if f.status == "dismissed":
        return "Dismissed", ""
    if f.status == "snoozed" and due > today:
        return "Snoozed", ""
    if due < today:
        return "Overdue", "danger"
    if due == today:
        return "Today", "warn"
    return None


def _pickers(form: FollowUpForm) -> None:
    form.contact.choices = choices([(0, "Nobody in particular")] + [
        (c.id, c.full_name + (f" ({c.company.name})" if c.company else "")) for c in user_contacts(current_user)
        if c.archived_at is None or c.id == form.contact.data])
    form.interview.choices = choices([(0, "None")] + [
        (i.id, f"{i.opportunity.title} · {i.stage_label} · {i.starts_at.astimezone(clock.zone(current_user.timezone)):%d %b %Y}")
        for i in user_interviews(current_user)])
    form.opportunity.choices = choices([(0, "None")] + [
        (o.id, o.title + (f" ({o.company.name})" if o.company else "")) for o in user_opportunities(current_user)])


def _input(form: FollowUpForm) -> service.FollowUpInput | None:
    """The form's data with linked rows resolved; None (errors added) for a foreign or unknown id."""
    linked = {}
    for name, model in (("contact", Contact), ("interview", Interview), ("opportunity", Opportunity)):
        value = getattr(form, name).data
        linked[name] = service.owned(current_user, model, value)
        if value and linked[name] is None:
            getattr(form, name).errors.append("Choose one from the list.")
            return None
    return service.FollowUpInput(title=form.title.data, kind=form.kind.data, due_on=form.due_on.data,
                                 due_time=form.due_time.data, notes=form.notes.data or "", **linked)


# A due date this far from today is more likely a slip of the year (2016 for 2026) than a plan.
FAR_PAST_DAYS, FAR_FUTURE_DAYS = 365, 5 * 365


def _far_date(form: FollowUpForm, followup: FollowUp | None) -> bool:
    """True when the due date (new or changed) is over a year ago or over five years ahead."""
    due = form.due_on.data
    if due is None or (followup is not None and due == followup.due_on):
        return False
    return not -FAR_PAST_DAYS <= (due - _today()).days <= FAR_FUTURE_DAYS


def _save(form: FollowUpForm, followup: FollowUp | None):
    if _far_date(form, followup) and not form.confirm_date.data:
        when = "ago" if form.due_on.data < _today() else "ahead"
        form.due_on.errors.append(f"{format_day(form.due_on.data)} is {'more than a year' if when == 'ago' else 'more than five years'} "
                                  f"{when}. Check the year; if you mean it, tick “Yes, I mean this date” and save again.")
        return None
    data = _input(form)
    if data is None:
        return None
    try:
        if followup is None:
            return service.create_followup(current_user, data)
        return service.update_followup(current_user, followup, data)
    except service.FollowUpError as e:
        getattr(form, e.field).errors.append(str(e))
        return None


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = FollowUpForm()
    if request.method == "GET":
        form.due_on.data = _today()
        for name in ("contact", "interview", "opportunity"):
            getattr(form, name).data = request.args.get(name, 0, type=int)
        contact = service.owned(current_user, Contact, form.contact.data)
        if contact is not None:
            form.title.data = f"Get in touch with {contact.full_name}"
            form.kind.data = "check_in"
    _pickers(form)
    if form.validate_on_submit():
        followup = _save(form, None)
        if followup is not None:
            db.session.commit()
            flash("The follow-up is added.", "success")
            return redirect(url_for("followups.show", followup_id=followup.id))
    return render_template("followups/form.html", form=form, followup=None,
                           far_date=form.is_submitted() and _far_date(form, None)), 400 if form.is_submitted() else 200


@bp.get("/<int:followup_id>")
def show(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    return render_template("followups/show.html", followup=followup, today=_today(),
                           draft=service.draft_for(current_user, followup),
                           complete_form=CompleteForm(formdata=None), snooze_form=SnoozeForm(formdata=None))


@bp.route("/<int:followup_id>/edit", methods=["GET", "POST"])
def edit(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    if request.method == "POST":
        form = FollowUpForm()
    else:
        form = FollowUpForm(data=followup_data(followup))
    _pickers(form)
    if form.validate_on_submit() and _save(form, followup) is not None:
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("followups.show", followup_id=followup.id))
    return render_template("followups/form.html", form=form, followup=followup,
                           far_date=form.is_submitted() and _far_date(form, followup)), \
        400 if form.is_submitted() else 200


def _back(followup: FollowUp):
    return redirect(safe_next(request.form.get("next"), url_for("followups.show", followup_id=followup.id)))


@bp.post("/<int:followup_id>/complete")
def complete(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    form = CompleteForm()
    if not form.validate_on_submit():
        flash("The follow-up is not marked done: " + " ".join(e for es in form.errors.values() for e in es), "error")
        return _back(followup)
    touch = service.TouchInput(channel=form.channel.data, summary=form.summary.data or "") if form.log_touch.data else None
    try:
        service.complete(current_user, followup, today=_today(), now=clock.now(), touch=touch)
    except (service.FollowUpError, TouchpointError) as e:
        db.session.rollback()
        flash(f"The follow-up is not marked done: {e}", "error")
        return _back(followup)
    db.session.commit()
    flash(f"Done: {followup.title}." + (" The touchpoint is logged." if touch else ""), "success")
    return _back(followup)


@bp.post("/<int:followup_id>/snooze")
def snooze(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    days = request.form.get("days", type=int)
    form = SnoozeForm()
    try:
        if days in (1, 7):  # CSRFProtect has checked the token before the view runs
            service.snooze_for(followup, days, today=_today())
        elif form.validate_on_submit():
            service.snooze(followup, form.until.data, today=_today())
        else:
            flash("Pick the day to bring it back.", "error")
            return _back(followup)
    except service.FollowUpError as e:
        flash(str(e), "error")
        return _back(followup)
    db.session.commit()
    flash(f"Snoozed until {format_day(followup.snoozed_until, year=False)}.", "success")
    return _back(followup)


@bp.post("/<int:followup_id>/dismiss")
def dismiss(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    service.dismiss(followup)
    db.session.commit()
    flash("Dismissed. It stays in the list under Dismissed.", "success")
    return _back(followup)


@bp.post("/<int:followup_id>/reopen")
def reopen(followup_id: int):
    followup = owned_or_404(FollowUp, followup_id)
    service.reopen(followup)
    db.session.commit()
    flash("Open again.", "success")
    return _back(followup)


@bp.post("/cadence/<int:contact_id>")
def cadence(contact_id: int):
    """The contact page's cadence buttons: action = accept | own | mute | proposal | keep (an
    imported contact: keep in touch at the proposed interval)."""
    contact = owned_or_404(Contact, contact_id)
    action = request.form.get("action")
    back = url_for("contacts.show", contact_id=contact.id)
    if action == "accept":
        view = cadence_service.for_contact(current_user, contact, _today())
        cadence_service.set_override(contact, view.proposal.ideal_days)
        message = f"{contact.full_name}: every {view.proposal.ideal_days} days, as you accepted."
    elif action == "own":
        form = CadenceForm()
        if not form.validate_on_submit():
            # The contact page again, the message beside the field (a flash at the top of the
            # page was out of sight of the card the person was looking at).
            from tracker.views.contacts import show as contact_show

            g.cadence_form = form
            response = make_response(contact_show(contact.id))
            response.status_code = 400
            return response
        cadence_service.set_override(contact, form.days.data)
        message = f"{contact.full_name}: every {form.days.data} days, as you chose."
    elif action == "keep":
        cadence_service.keep_in_touch(current_user, [contact.id])
        message = f"You keep in touch with {contact.full_name}: the clock starts today."
    elif action == "mute":
        cadence_service.set_no_reminders(contact)
        message = f"No more reminders for {contact.full_name}."
    elif action == "proposal":
        cadence_service.set_override(contact, None)
        message = f"{contact.full_name} follows the proposed cadence again."
    else:
        flash("Choose one of the buttons.", "error")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def cadence_card(contact, followups: list | None = None, cadence_input=None) -> dict:
    """Template context for the contact page's cadence card (templates/contacts/_cadence.html);
    `followups` and `cadence_input`: the contact's open follow-ups and cadence input when the
    caller read them already (services.contact_page), else they are read here."""
    view = (cadence_service.for_contact(current_user, contact, _today()) if cadence_input is None
            else cadence_service.view_of(current_user, cadence_input, _today()))
    return {"cadence_view": view, "contact_followups": service.open_for_contact(current_user, contact.id)
            if followups is None else followups,
            "cadence_form": g.get("cadence_form") or CadenceForm(
                formdata=None, days=view.cadence.ideal_days or view.proposal.ideal_days)}


@bp.record_once
def _labels(state) -> None:
    """The follow-ups' labels and badge as template globals: constants, which macros imported
    without the render's context see too (a context processor ran for every template render,
    and its values reached followups/_macros.html only through an import `with context`,
    which builds the macros anew in each render, in a cycle with its context)."""
    from tracker.models.followups import KINDS
    from tracker.models.touchpoints import CHANNELS

    state.app.jinja_env.globals.update(fu_channels=CHANNELS, fu_kinds=KINDS, fu_origins=ORIGINS,
                                       fu_badge=status_badge)
