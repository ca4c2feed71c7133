"""Opportunities: the pipeline board and list, CRUD, and status moves (each one recorded)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.forms import choices
from tracker import clock
from tracker.extensions import db
from tracker.forms.data import opportunity_data
from tracker.forms.attachments import AttachmentForm
from tracker.forms.opportunities import ROLE_FIELDS, CaptureForm, OpportunityForm, StatusForm
from tracker.interop import limits
from tracker.models import Opportunity
from tracker.models.opportunities import OPEN_STATUSES, SOURCES, STATUSES
from tracker.services import opportunities as service
from tracker.services import opportunity_page as page_service
from tracker.services import attachments as attachment_service
from tracker.services import pipeline, postings
from tracker.services import board as board_service
from tracker.services.companies import company_names
from tracker.services.touchpoints import owned_contacts, user_contacts
from tracker.templating import format_day, initials_face, user_today
from tracker.views.common import html_text, id_url, keyset_args, owned_or_404, per_page, short_day
from tracker.views.contacts import STATE_LABELS
from tracker.views.playbooks import next_step
from tracker.views import warm_paths
from tracker.views.referrals import panel as referral_panel
from tracker.services import warm_paths as warm_service

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities")


@bp.get("/")
def index():
    view = "list" if request.args.get("view") == "list" else "board"
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    if view == "list":
        page = pipeline.opportunity_list(current_user, status, per_page(), **keyset_args())
        return render_template("opportunities/index.html", view=view, page=page, rows=_list_rows(page.items),
                               status=status, statuses=STATUSES)
    board = board_service.board(current_user)
    return render_template("opportunities/index.html", view=view, board=board, cards=_cards(board),
                           statuses=STATUSES, open_statuses=OPEN_STATUSES,
                           closed_statuses=[s for s in STATUSES if s not in OPEN_STATUSES])


def _cards(board: board_service.Board) -> dict[str, list[Markup]]:
    """Each column's cards as their <li>s: the title, company, next step or interviews, apply-by
    day, faces and Move button. Written here rather than in the template: up to 95 cards and
    300 faces, each a dozen attribute look-ups, escapes and yields in Jinja, were most of the
    board's cost. Every piece of user text is escaped; the bytes are the template's
    (tests/web/test_list_rows.py); days are format_day(year=False)'s with one `today`."""
    base, photo_url, today = html_text(url_for("opportunities.index")), id_url("people.photo", "contact_id"), user_today()
    return {status: [_card(o, status, base, photo_url, today) for o in column.cards]
            for status, column in board.columns.items()}


def _card(o: board_service.Card, status: str, base: str, photo_url, today) -> Markup:
    title = html_text(o.title)
    html = [f'        <li class="opp-card" data-opportunity="{o.id}">\n'
            f'          <a class="opp-title" href="{base}{o.id}">{title}</a>\n']
    if o.company:
        html.append(f'<span class="muted small">{html_text(o.company)}</span>')
    if o.next:
        html.append(f'<span class="next-step"><span class="visually-hidden">Next: </span>{html_text(o.next.label)} · '
                    f'{short_day(o.next.on, today)}</span>\n')
    elif o.interviews:
        html.append(f'<span class="small">{o.interviews} interview{"s" if o.interviews != 1 else ""}</span>')
    if o.deadline_due:
        html.append(f'<span class="small">Apply by {short_day(o.deadline_on, today)}</span>')
    if o.faces:
        html.append('          <span class="faces" role="list" aria-label="People">\n')
        for f in o.faces:
            name = html_text(f.name)
            face = (f'<img class="face tiny" src="{html_text(photo_url(f.id))}" alt="" loading="lazy" width="32" height="32">'
                    if f.photo else initials_face(f.name, "tiny"))
            html.append(f'<span role="listitem" title="{name}">{face}<span class="visually-hidden">{name}</span></span>')
        if o.more:
            html.append(f'<span role="listitem" class="small muted">+{o.more}<span class="visually-hidden"> more</span></span>')
        html.append('          </span>\n')
    html.append(f'          <button type="submit" form="move-{html_text(status)}" name="opportunity" value="{o.id}" '
                f'class="secondary small move-button"\n                  aria-label="Move {title}">Move</button>\n'
                f'        </li>\n')
    return Markup("".join(html))


def _list_rows(items: list[pipeline.Row]) -> list[Markup]:
    """Each opportunity's <tr> of the list (role, company, where, status, applied, apply by,
    interviews), written here rather than in the template (as the board's cards, _cards).
    Every piece of user text is escaped; addresses from one url_for a kind (views.common.id_url)."""
    page_url, company_url = id_url("opportunities.show", "opportunity_id"), id_url("companies.show", "company_id")
    rows = []
    for o in items:
        company = (f'<a href="{html_text(company_url(o.company_id))}">{html_text(o.company_name)}</a>'
                   if o.company_id else "")
        where = html_text(o.location) + (" · " if o.location and o.work_mode else "") + html_text(o.work_mode_label)
        rows.append(Markup(
            f'      <tr>\n'
            f'        <td><a href="{html_text(page_url(o.id))}">{html_text(o.title)}</a></td>\n'
            f'        <td>{company}</td>\n'
            f'        <td>{where}</td>\n'
            f'        <td><span class="badge status-{html_text(o.status)}">{html_text(o.status_label)}</span></td>\n'
            f'        <td>{format_day(o.applied_on)}</td>\n'
            f'        <td>{format_day(o.deadline_on) if o.deadline_due else ""}</td>\n'
            f'        <td>{o.interviews}</td>\n'
            f'      </tr>\n'))
    return rows


def _form_page(form: OpportunityForm, opportunity: Opportunity | None, status: int = 200, *,
               capture: CaptureForm | None = None, notice: str = ""):
    # A new one: "You know 3 people at Acme" under the company, once it is filled in.
    warm = warm_paths.hint_for(form.company.data or "") if opportunity is None else {}
    if opportunity is None and capture is None:
        capture = CaptureForm(formdata=None)
    return render_template("opportunities/form.html", form=form, opportunity=opportunity,
                           companies=company_names(current_user), capture_form=capture, capture_notice=notice,
                           **warm), status


@bp.post("/capture")
def capture():
    """Capture a posting: the new-opportunity form, filled in from a saved job page (README
    "Capture a posting"). Saves nothing; no request leaves the server."""
    form = CaptureForm()
    if form.validate_on_submit():
        upload = form.page_file.data
        page = upload.read(limits.MAX_POSTING_BYTES + 1) if upload and upload.filename else form.page_html.data
        try:
            result = postings.capture(page or "", form.capture_url.data or "")
        except limits.LimitExceeded as e:
            (form.page_file if upload and upload.filename else form.page_html).errors = [str(e)]
        else:
            filled = OpportunityForm(formdata=None, data=result.data)
            _people_choices(filled)
            return _form_page(filled, None, capture=CaptureForm(formdata=None), notice=result.notice)
    blank = OpportunityForm(formdata=None)
    _people_choices(blank)
    return _form_page(blank, None, 400, capture=form)


def _people_choices(form: OpportunityForm) -> None:
    people = choices((c.id, c.full_name + (f" ({c.company.name})" if c.company else ""))
                     for c in user_contacts(current_user))
    for name in ROLE_FIELDS:
        getattr(form, name).choices = people


def _input(form: OpportunityForm) -> service.OpportunityInput:
    return service.OpportunityInput(
        title=form.title.data, company=form.company.data or "", posting_url=form.posting_url.data or "",
        source=form.source.data, status=form.status.data, applied_on=form.applied_on.data,
        closed_on=form.closed_on.data, notes=form.notes.data or "",
        location=form.location.data or "", work_mode=form.work_mode.data or "",
        salary_min=form.salary_min.data, salary_max=form.salary_max.data,
        salary_currency=form.salary_currency.data or "", salary_period=form.salary_period.data or "",
        deadline_on=form.deadline_on.data, description=form.description.data or "",
        contacts={role: owned_contacts(current_user, getattr(form, name).data or [])
                  for name, role in ROLE_FIELDS.items()})


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = OpportunityForm()
    _people_choices(form)
    if request.method == "GET" and request.args.get("company"):  # "Who do I know there?" without JavaScript
        form.company.data = request.args.get("company", "")[:200]
    if request.method == "GET" and request.args.get("contact", type=int):
        form.others.data = [c.id for c in owned_contacts(current_user, [request.args.get("contact", type=int)])]
    if form.validate_on_submit():
        opportunity = service.save_opportunity(current_user, None, _input(form))
        db.session.commit()
        flash(f"{opportunity.title} is added.", "success")
        return redirect(url_for("opportunities.show", opportunity_id=opportunity.id))
    return _form_page(form, None, 400 if form.is_submitted() else 200)


@bp.get("/<int:opportunity_id>")
def show(opportunity_id: int):
    opportunity = page_service.opportunity(current_user, opportunity_id) or abort(404)
    return render_template("opportunities/show.html", **show_context(opportunity))


def show_context(opportunity: Opportunity) -> dict:
    """What the opportunity page shows (also re-rendered by an upload refused there): the same
    statements whatever the opportunity has linked (services.opportunity_page)."""
    today = clock.today(current_user.timezone)
    warm = warm_service.for_company(current_user, opportunity.company, today, opportunity=opportunity,
                                    limit=warm_service.PANEL)
    panels = page_service.panels(current_user, opportunity)
    return dict(opportunity=opportunity, sources=SOURCES, warm=warm, state_labels=STATE_LABELS,
                contact_url=id_url("contacts.show", "contact_id"),  # its people's, rounds' and warm paths' links
                **referral_panel(opportunity, warm),
                people=panels.people, rounds=panels.rounds, history=panels.history,
                status_form=StatusForm(status=opportunity.status), today=today,
                # The application's files (views.attachments), without their bytes.
                attachments=attachment_service.opportunity_attachments(opportunity),
                attachment_form=AttachmentForm(formdata=None))


@bp.route("/<int:opportunity_id>/edit", methods=["GET", "POST"])
def edit(opportunity_id: int):
    opportunity = owned_or_404(Opportunity, opportunity_id)
    if request.method == "POST":
        form = OpportunityForm()
    else:
        form = OpportunityForm(data=opportunity_data(opportunity, service.contacts_by_role(opportunity), ROLE_FIELDS))
    _people_choices(form)
    if form.validate_on_submit():
        was = opportunity.status
        service.save_opportunity(current_user, opportunity, _input(form))
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(next_step(url_for("opportunities.show", opportunity_id=opportunity.id), opportunity=opportunity,
                                  rejected=opportunity.status == "rejected" and was != "rejected",
                                  reopened=was == "rejected" and opportunity.status != "rejected",
                                  ended=opportunity.status != was and opportunity.status not in OPEN_STATUSES))
    return _form_page(form, opportunity, 400 if form.is_submitted() else 200)


@bp.post("/<int:opportunity_id>/status")
def move(opportunity_id: int):
    return _move(owned_or_404(Opportunity, opportunity_id))


@bp.post("/move")
def move_card():
    """The board's move: one form per column (status + CSRF once), each card's button names its opportunity."""
    return _move(owned_or_404(Opportunity, request.form.get("opportunity", type=int) or 0))


def _move(opportunity: Opportunity):
    form = StatusForm()
    changed = None
    # The board's drag and drop asks for JSON: no flash to show on some later page.
    wants_json = request.accept_mimetypes.best == "application/json"
    if form.validate_on_submit():
        if changed := service.set_status(current_user, opportunity, form.status.data):
            db.session.commit()
            if not wants_json:
                flash(f"{opportunity.title} moved to {opportunity.status_label}.", "success")
    elif wants_json:
        return jsonify(error="Choose a status from the list."), 400
    else:
        flash("Choose a status from the list.", "error")
    back = url_for("opportunities.show", opportunity_id=opportunity.id)
    if request.form.get("from") == "board":
        back = url_for("opportunities.index")
    elif request.form.get("from") == "dashboard":  # a deadline's "Applied"
        back = url_for("dashboard.index")
    then = next_step(back, opportunity=opportunity, rejected=changed is not None and changed.to_status == "rejected",
                     reopened=changed is not None and changed.from_status == "rejected",
                     ended=changed is not None and changed.to_status not in OPEN_STATUSES)
    if wants_json:
        return jsonify(status=opportunity.status, label=opportunity.status_label, next=then if then != back else None)
    return redirect(then)


@bp.route("/<int:opportunity_id>/delete", methods=["GET", "POST"])
def delete(opportunity_id: int):
    opportunity = owned_or_404(Opportunity, opportunity_id)
    if request.method == "POST":
        title = opportunity.title
        service.delete_opportunity(opportunity)
        db.session.commit()
        flash(f"{title} is deleted.", "success")
        return redirect(url_for("opportunities.index"))
    return render_template("opportunities/delete.html", opportunity=opportunity)
