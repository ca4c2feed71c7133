"""Finding things from anywhere: the header search and the keyboard shortcuts page."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.services.find import LIMIT, find_everything

bp = Blueprint("find", __name__)

# (keys, what they do): the help page lists these and app.js implements them.
SHORTCUTS = (
    ("/", "Jump to the search box"),
    ("l", "Log a touchpoint"),
    ("g then d", "Go to the dashboard"),
    ("g then c", "Go to contacts"),
    ("g then o", "Go to opportunities"),
    ("g then f", "Go to follow-ups"),
    ("?", "Show this list"),
    ("Esc", "Leave the search box or close a menu"),
)


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()
    found = find_everything(current_user, q)
    return render_template("find/search.html", q=q, found=found, limit=LIMIT)


@bp.get("/shortcuts")
def shortcuts():
    return render_template("find/shortcuts.html", shortcuts=SHORTCUTS)
