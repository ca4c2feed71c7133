"""A request leaves no reference cycles behind (issue 17, ninth session).

What a request builds and drops in a reference cycle is not freed when the request ends but
by the collector's next young collection, which then frees the garbage of every request since
the last one at once: in a served worker (tracker.cli.server.tune_gc, a young collection every
20,000 allocations net) the contacts list left 97 objects a request in cycles, a collection
came every ~200 requests and took 10-38 ms, and that request answered 10-38 ms late: the p99
of a page at one connection. Two kinds of cycle were every request's:

- WTForms: each bound field keeps its form (`field._form`, for choices callables and nested
  forms), a nested form and its meta their parent (`_parent_form`), and the form keeps its
  fields. Here these refer weakly: a field is only ever used through its form, which the view holds.
- Werkzeug: a request object puts itself into its WSGI environ ("werkzeug.request"), which it
  holds. Taken out once the app has answered (the response no longer needs the request).

Werkzeug's URL matcher leaves one small cycle a request (a recursive closure, 8 objects);
that one is Werkzeug's to change.
"""
from __future__ import annotations

import weakref

from wtforms.fields.core import Field
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta


def _weak(name: str) -> property:
    """An attribute that holds its value by weak reference (None once the value is gone)."""
    key = f"_{name}_weakly"

    def get(owner):
        ref = owner.__dict__.get(key)
        return ref() if ref is not None else None

    def set_(owner, value) -> None:
        owner.__dict__[key] = weakref.ref(value) if value is not None else None

    return property(get, set_)


def weak_field_forms() -> None:
    """Every WTForms field refers to its form weakly, and a nested form to its parent
    (process-wide; idempotent)."""
    if not isinstance(Field.__dict__.get("_form"), property):
        Field._form = _weak("_form")
        BaseForm._parent_form = DefaultMeta._parent_form = _weak("_parent_form")


def request_out_of_environ(wsgi_app):
    """`wsgi_app`, taking the request object out of its environ once it has answered."""

    def app(environ, start_response):
        try:
            return wsgi_app(environ, start_response)
        finally:
            environ.pop("werkzeug.request", None)

    return app
