"""Warm paths: the "You know 3 people at Acme" hint of the new-opportunity form, as an HTML
fragment the form fetches while the company is typed (static/js/app.js); without JavaScript
the form shows the same hint when it is shown again with the company filled in."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker import clock
from tracker.services import warm_paths as service

bp = Blueprint("warm_paths", __name__, url_prefix="/warm-paths")


def hint_for(name: str) -> dict:
    """The template values of the hint for a typed company name."""
    name = " ".join((name or "").split())[:200]
    return {"warm_name": name,
            "warm": service.for_name(current_user, name, clock.today(current_user.timezone)) if name else None}


@bp.get("/hint")
def hint():
    response = render_template("warm_paths/_hint_body.html", **hint_for(request.args.get("company", "")))
    return response, 200, {"Cache-Control": "private, no-store"}
