"""The dashboard: what to do today, who is slipping away, the pipeline, recent activity."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker import clock
from tracker.services import agenda as service
from tracker.services.touchpoints import recent_touchpoints

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    contact_count = service.contact_count(current_user)
    if contact_count == 0:
        return render_template("dashboard/index.html", contact_count=0)
    today = clock.today(current_user.timezone)
    result = service.build(current_user, today)
    return render_template("dashboard/index.html", contact_count=contact_count, today=today, result=result,
                           agenda=result.agenda, health_labels=service.HEALTH_LABELS,
                           pipeline=service.pipeline_counts(current_user),
                           recent=recent_touchpoints(current_user, limit=6))
