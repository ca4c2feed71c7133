"""Insights (issue 16, "what is working"): the page, the rows behind each figure, CSV of each table."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.domain.insights import PERIODS, STAGE_LABELS, STAGES, week_of
from tracker.domain.insights_network import STATE_LABELS, STATES
from tracker.extensions import db
from tracker.models import Contact, Interview, Opportunity, Touchpoint
from tracker.models.opportunities import SOURCES
from tracker.services import insights as service
from tracker.views import charts
from tracker.views.insights_tables import REPLY_GROUPS, all_tables, day_label, to_csv

bp = Blueprint("insights", __name__, url_prefix="/insights")
ROWS_SHOWN = 200  # the rows page lists at most this many (it says how many there are)


def _period() -> str:
    key = request.args.get("period", "")
    return key if key in PERIODS else "90"


def _charts(ins: service.Insights, tables: dict) -> dict:
    f, n = ins.funnel, ins.network
    funnel = charts.bar_chart([(s.label, s.count, str(s.count), row[1].href)
                               for s, row in zip(f.stages, tables["funnel"].rows)])
    weeks = [day_label(w) for w in n.weeks]
    activity = charts.line_chart(weeks, [
        ("added", "Contacts added", [w.count for w in n.added], [r[1].href for r in tables["contacts-added"].rows]),
        ("touchpoints", "Touchpoints", [w.count for w in n.touchpoints], [r[1].href for r in tables["touchpoints"].rows]),
    ])
    states = charts.line_chart([day_label(p.day) for p in n.states], [
        (s, STATE_LABELS[s], [p.counts[s] for p in n.states], [r[i + 1].href for r in tables["in-touch"].rows])
        for i, s in enumerate(STATES)])
    r = ins.replies
    replies = charts.bar_chart([(row[0].text, (g.rate or 0) * 100, f"{row[3].text} of {len(g.sent)}", row[1].href)
                                for g, row in zip(r.by_position.values(), tables["replies-by-message"].rows)])
    channels = charts.bar_chart([(row[0].text, (g.rate or 0) * 100, f"{row[3].text} of {len(g.sent)}", row[1].href)
                                 for g, row in zip(r.by_channel.values(), tables["replies-by-channel"].rows)])
    words = charts.bar_chart([(k.word, k.count, str(k.count), row[1].href)
                              for k, row in zip(ins.lessons.keywords, tables["to-improve"].rows)])
    return {"funnel_chart": funnel, "activity_chart": activity, "states_chart": states, "replies_chart": replies,
            "channels_chart": channels, "words_chart": words}


@bp.get("/")
def index():
    ins = service.insights(current_user, _period())
    tables = all_tables(ins)
    return render_template("insights/index.html", ins=ins, tables=tables, periods=PERIODS, sources=SOURCES,
                           **_charts(ins, tables))


@bp.get("/<table>.csv")
def download(table: str):
    ins = service.insights(current_user, _period())
    found = all_tables(ins).get(table)
    if found is None:
        abort(404)
    return Response(to_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="insights-{table}-{ins.period.key}.csv"'})


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        abort(404)


@bp.get("/rows")
def rows():
    """The rows behind one figure of the page: the same computation, the ids it counted."""
    ins = service.insights(current_user, _period())
    figure = request.args.get("figure", "")
    kind, ids, title = _figure(ins, figure)
    ids = list(dict.fromkeys(ids))  # a touchpoint to two people is one row
    shown = ids[:ROWS_SHOWN]
    items = []
    if kind == "opportunities" and shown:
        items = db.session.scalars(select(Opportunity).where(Opportunity.id.in_(shown), Opportunity.user_id == current_user.id)
                                   .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
                                   .options(selectinload(Opportunity.company))).all()
    elif kind == "contacts" and shown:
        items = db.session.scalars(select(Contact).where(Contact.id.in_(shown), Contact.user_id == current_user.id)
                                   .order_by(Contact.sort_name, Contact.id).options(selectinload(Contact.company))).all()
    elif kind == "interviews" and shown:
        items = db.session.scalars(select(Interview).where(Interview.id.in_(shown), Interview.user_id == current_user.id)
                                   .order_by(Interview.starts_at.desc(), Interview.id.desc())
                                   .options(selectinload(Interview.opportunity).selectinload(Opportunity.company))).all()
    elif kind == "touchpoints" and shown:
        items = db.session.scalars(select(Touchpoint).where(Touchpoint.id.in_(shown), Touchpoint.user_id == current_user.id)
                                   .order_by(Touchpoint.happened_on.desc(), Touchpoint.id.desc())
                                   .options(selectinload(Touchpoint.contacts))).all()
    return render_template("insights/rows.html", ins=ins, kind=kind, items=items, total=len(ids), title=title,
                           sources=SOURCES)


def _figure(ins: service.Insights, figure: str) -> tuple[str, list[int], str]:
    """(kind of rows, their ids, a title) for the figure named by the query arguments; 404 if none."""
    args = request.args
    if figure == "funnel":
        stage = args.get("stage", "")
        if stage not in STAGES:
            abort(404)
        k = STAGES.index(stage)
        source, referral = args.get("source"), args.get("referral")
        if source is not None:
            stages = ins.funnel.by_source.get(source)
            label = f"{STAGE_LABELS[stage]}, from {SOURCES.get(source, source)}"
        elif referral is not None:
            stages = (ins.funnel.by_referral or {}).get(referral)
            label = f"{STAGE_LABELS[stage]}, {'with' if referral == 'referred' else 'without'} a referral"
        else:
            stages, label = ins.funnel.stages, STAGE_LABELS[stage]
        return "opportunities", list(stages[k].ids) if stages else [], f"{label} ({ins.period.label.lower()})"
    if figure in ("added", "touchpoints"):
        week = week_of(_day("week"))
        if figure == "touchpoints":
            return "touchpoints", service.touchpoints_in_week(current_user, ins.period, week), \
                f"Touchpoints in the week of {day_label(week)}"
        return "contacts", service.contacts_added_in_week(current_user, ins.period, week), \
            f"Contacts added in the week of {day_label(week)}"
    if figure == "states":
        day, state = _day("day"), args.get("state", "")
        if state not in STATES:
            abort(404)
        ids = service.states_on(current_user, day, ins.today)[state]
        return "contacts", ids, f"{STATE_LABELS[state]} on {day_label(day)}"
    if figure == "leads":
        contact = args.get("contact", type=int)
        lead = next((x for x in ins.network.leads if x.contact_id == contact), None)
        if lead is None:
            abort(404)
        return "opportunities", list(lead.opportunity_ids), f"Opportunities with {lead.name} that reached an interview"
    if figure == "replies":
        return _replies(ins)
    if figure == "lessons":
        of, word = args.get("of"), args.get("word", "")
        found = ins.lessons.keywords if of == "improve" else ins.lessons.feedback_keywords if of == "feedback" else None
        keyword = next((k for k in found or () if k.word == word), None)
        if keyword is None:
            abort(404)
        where = "reflections (to improve)" if of == "improve" else "feedback received"
        return "interviews", list(keyword.interview_ids), f"“{word}” in {where}"
    abort(404)


def _replies(ins: service.Insights) -> tuple[str, list[int], str]:
    group, key = request.args.get("group", ""), request.args.get("key", "")
    r = ins.replies
    groups = {"position": r.by_position, "channel": r.by_channel, "role": r.by_role, "tag": r.by_tag,
              "all": {"all": r.total}}.get(group, {})
    found = groups.get(key)
    if found is None:
        abort(404)
    answered = request.args.get("answered") == "1"
    labels = REPLY_GROUPS[group][3] if group in REPLY_GROUPS else None
    label = "All outreach" if group == "all" else labels.get(key, key) if labels else key
    return "touchpoints", found.replied if answered else found.sent, \
        f"{'Answered' if answered else 'Sent'}: {label} ({ins.period.label.lower()})"
