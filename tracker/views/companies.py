from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select

from tracker import clock
from tracker.extensions import db
from tracker.forms.contacts import CompanyForm
from tracker.forms.data import company_data
from tracker.models import Company, Contact
from tracker.services.companies import company_list, save_company
from tracker.services import warm_paths
from tracker.services.statements import built_once
from tracker.views.common import id_url, keyset_args, owned_or_404, per_page
from tracker.views.activity import company_timeline
from tracker.views.contacts import STATE_LABELS

bp = Blueprint("companies", __name__, url_prefix="/companies")


@bp.get("/")
def index():
    """One keyset page of companies by name (services.companies.company_list)."""
    q = request.args.get("q", "").strip()
    page = company_list(current_user, q, per_page(), **keyset_args())
    return render_template("companies/index.html", page=page, q=q,
                           company_url=id_url("companies.show", "company_id"))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company = save_company(current_user, None, name=form.name.data, website=form.website.data or "",
                                   notes=form.notes.data or "")
        except ValueError as e:
            form.name.errors.append(str(e))
        else:
            db.session.commit()
            flash(f"{company.name} is added.", "success")
            return redirect(url_for("companies.show", company_id=company.id))
    return render_template("companies/form.html", form=form, company=None), 400 if form.is_submitted() else 200


@bp.get("/<int:company_id>")
def show(company_id: int):
    company = owned_or_404(Company, company_id)
    # Archived people are no warm path, but the page still names them (the first 50).
    # (Rows of what the page shows, not Contacts: no identity map, no columns nobody reads.)
    archived = db.session.connection().execute(_archived(), {"user_id": current_user.id, "id": company.id}).all()
    # The panel's first PANEL people (and how many in all): what it shows, not everyone.
    warm = warm_paths.for_company(current_user, company, clock.today(current_user.timezone), limit=warm_paths.PANEL)
    return render_template("companies/show.html", company=company, archived=archived,
                           warm=warm, warm_name=company.name, state_labels=STATE_LABELS,
                           contact_url=id_url("contacts.show", "contact_id"), **company_timeline(company))


@built_once
def _archived():
    return (select(Contact.id, Contact.full_name)
            .where(Contact.user_id == bindparam("user_id"), Contact.company_id == bindparam("id"),
                   Contact.archived_at.is_not(None)).order_by(Contact.sort_name).limit(50))


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int):
    company = owned_or_404(Company, company_id)
    form = CompanyForm() if request.method == "POST" else CompanyForm(data=company_data(company))
    if form.validate_on_submit():
        try:
            save_company(current_user, company, name=form.name.data, website=form.website.data or "",
                         notes=form.notes.data or "")
        except ValueError as e:
            form.name.errors.append(str(e))
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("companies.show", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company), 400 if form.is_submitted() else 200


@bp.route("/<int:company_id>/delete", methods=["GET", "POST"])
def delete(company_id: int):
    company = owned_or_404(Company, company_id)
    if request.method == "POST":
        db.session.delete(company)
        db.session.commit()
        flash(f"{company.name} is deleted; its contacts are kept.", "success")
        return redirect(url_for("companies.index"))
    return render_template("companies/delete.html", company=company)
