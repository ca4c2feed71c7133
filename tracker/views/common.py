"""Helpers every view uses: scoped lookups, safe redirects, paging arguments."""
from __future__ import annotations

from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from markupsafe import _escape_inner, escape
from sqlalchemy import Select, bindparam, select

from tracker.domain.bounds import split_url
from tracker.extensions import db
from tracker.services.statements import built_once
from tracker.domain.cadence import format_day

M = TypeVar("M")


def owned_or_404(model: type[M], object_id: int) -> M:
    """The current user's row of `model` with this id; 404 for a missing or foreign one.

    A foreign id is a 404, not a 403, so the answer does not confirm that it exists.
    """
    row = db.session.scalar(_owned(model), {"id": object_id, "user_id": current_user.id})
    if row is None:
        abort(404)
    return row


@built_once
def _owned(model: type) -> Select:
    """owned_or_404's statement per model, built once (statements.built_once): building it
    cost as much as running it."""
    return select(model).where(model.id == bindparam("id"), model.user_id == bindparam("user_id"))


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = split_url(target)
    if parts is None or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


# Past any real list; bounds OFFSET so a page number of 2^63 cannot overflow the database.
MAX_PAGE = 100_000


def page_arg() -> int:
    return min(MAX_PAGE, max(1, request.args.get("page", 1, type=int) or 1))


def per_page() -> int:
    return int(current_app.config["PER_PAGE"])


def keyset_args() -> dict:
    """The keyset paging arguments of the request (tracker.services.paging): after, before, last."""
    return {"after": request.args.get("after") or None, "before": request.args.get("before") or None,
            "last": request.args.get("last") == "1"}


def app_link(endpoint: str, **values) -> str:
    """An absolute URL for a mail: BASE_URL when set, else this request's root."""
    from flask import url_for

    base = (current_app.config.get("BASE_URL") or "").strip() or request.url_root
    return base.rstrip("/") + url_for(endpoint, **values)


def send_after_response(response, message) -> None:
    """Hand `message` to the SMTP server once `response` has gone out, so the answer never
    waits for (or tells anything by) the mail server. A failure is logged: the person can
    ask again."""
    from tracker.services import outgoing_mail

    config, logger = dict(current_app.config), current_app.logger

    def deliver() -> None:
        try:
            outgoing_mail.send(message, config)
        except outgoing_mail.MailError as e:
            logger.warning("mail %r to %s not sent: %s", message["Subject"], message["To"], e)

    response.call_on_close(deliver)


# An id no row has: id_url() builds the address of this id once and splits it around it.
_SENTINEL_ID = 987654321


def id_url(endpoint: str, argument: str):
    """A function id -> the address of `endpoint` for that id (`argument` names the route's id):
    one url_for per page instead of one per row (a list of 50 rows linked 150 times)."""
    from flask import url_for

    head, tail = url_for(endpoint, **{argument: _SENTINEL_ID}).split(str(_SENTINEL_ID))
    return lambda object_id: f"{head}{object_id}{tail}"


def short_day(value, today) -> str:
    """A list's day: "3 Oct", with the year when it is not `today`'s; "" for None. The reasons'
    own formatter (domain.cadence.format_day), which is templating.format_day(value, year=False)
    with `today` given: lists format a few days a row, and that filter looks up the user's
    today on each call."""
    return "" if value is None else format_day(value, today)


def html_text(value) -> str:
    """`value` escaped for HTML, the text markupsafe.escape gives, for the rows lists write in
    Python: for a str its C escaper alone, without building a Markup per piece (in an f-string,
    a seventh of escape's cost; a list escapes about 450 pieces a page). Anything else (None,
    a number, a Markup) goes through markupsafe.escape: the C escaper given something other
    than a str fails with a SystemError, and a page must not answer 500 for a None."""
    return _escape_inner(value) if type(value) is str else str(escape(value))
