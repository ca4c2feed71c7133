"""Response headers that hold on every page (OWASP ASVS V14.4)."""
from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

# The largest id any table can hold on every engine (PostgreSQL's integer is 32-bit signed).
MAX_ID = 2**31 - 1

# No inline script or style and no third-party origin: every asset is vendored in static/.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# The headers every response carries unless a view set its own (in this order).
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Feed URLs carry a secret token: never leak a full URL to another site.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_HEADERS = tuple((key, key.lower(), value) for key, value in HEADERS)


def install(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        # Werkzeug's headers.setdefault raises (and catches) an HTTP exception for each header
        # that is missing, every one on most responses: about 20 us a request. Reading the
        # names present once gives the same headers.
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        for key, lower, value in _HEADERS:
            if lower not in present:
                headers.add(key, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "cache-control" not in present:
            # Pages and every download (account archive, vCards, .ics) are personal data: no
            # cache keeps them. The calendar feed sets its own private caching first.
            headers.add("Cache-Control", "no-store")
        return response


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: a number past MAX_ID matches no route, so it is a 404.

    Without the bound an id of 2^63 reached the database and failed there (500).
    """

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_input_bounds(app: Flask) -> None:
    """Bounds every request meets before a view runs; call before the blueprints register.

    - ids in paths are bounded (BoundedIntConverter);
    - a NUL character in the path, a query or form value is refused with a 400 that says so:
      neither database stores it in text (PostgreSQL refuses it outright), so nothing a
      person typed can contain one;
    - a number too large for the database in a query (?company=2**70) is a 404, like an id.
    """
    from sqlalchemy.exc import DataError

    app.url_map.converters["int"] = BoundedIntConverter

    @app.before_request
    def refuse_nul():
        texts = [request.path]
        # A request without a body has no form (Werkzeug parses one only for a form's content
        # type): not asking for it skips building an empty one on every GET.
        sources = (request.args, request.form) if request.environ.get("CONTENT_TYPE") else (request.args,)
        for data in sources:
            for key, values in data.lists():
                texts += [key, *values]
        if any("\x00" in text for text in texts):
            abort(400, description="Text with a NUL character (\\0) cannot be saved or searched. Remove it and try again.")

    def too_large(error):
        from tracker.extensions import db
        from tracker.wiring import _error_page

        db.session.rollback()
        # Only a number too large for the database (SQLite: "Python int too large to convert
        # to SQLite INTEGER"; PostgreSQL: SQLSTATE 22003 "integer out of range"); any other
        # overflow, date arithmetic included, stays the bug it is.
        if isinstance(error, DataError):
            too_large_for_db = getattr(error.orig, "sqlstate", None) == "22003"  # numeric_value_out_of_range
        else:
            too_large_for_db = "too large to convert" in str(error)
        if not too_large_for_db:
            raise error
        return _error_page(NotFound())

    app.register_error_handler(OverflowError, too_large)
    app.register_error_handler(DataError, too_large)
