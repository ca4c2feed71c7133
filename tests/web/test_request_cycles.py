"""A request leaves no reference cycles of its own behind (tracker/cycles.py).

Whatever a request drops in a cycle waits for the collector's next young collection, which
frees every request's leftovers at once and holds up the request it lands on (10-38 ms on the
contacts list at M, every ~200 requests). Checked with the collector's DEBUG_SAVEALL: what a
collection after the request finds unreachable.
"""
from __future__ import annotations

from werkzeug.test import EnvironBuilder
from wtforms import Form, FormField, IntegerField, SelectField

from tests.perf.request_cycles import left_in_cycles
from tests.web.test_query_counts import account, every_page  # noqa: F401  (a fixture)
from tracker.cycles import weak_field_forms


def test_no_page_leaves_a_form_a_template_context_or_a_model_in_a_cycle(app, account, in_db):
    """Every GET page of the app (tests/web/test_query_counts.py's walk of the URL map, on its
    filled account): no form, template context or model is left in a cycle. What is left is
    the libraries' own (Werkzeug's URL matcher, a few SQLAlchemy bind parameters) and the test
    client's."""
    urls = every_page(app, in_db)
    assert len(urls) > 60
    found = {}
    for name, url in urls.items():
        account.get(url)  # warm: imports, caches, the day's kept agenda
        left = left_in_cycles(account, url, runs=1)
        ours = {k for k in left if k.startswith(("wtforms.", "flask_wtf.", "jinja2.", "tracker."))}
        if ours:
            found[name] = sorted(ours)
    assert found == {}


def test_the_app_takes_the_request_out_of_its_environ_once_it_has_answered(app):
    environ = EnvironBuilder(path="/login", base_url="http://tracker.test").get_environ()
    body = app.wsgi_app(environ, lambda status, headers, exc_info=None: None)
    assert b"".join(body)  # the page was rendered
    assert "werkzeug.request" not in environ


def test_fields_and_nested_forms_still_reach_their_form():
    """Choices callables get the form, nested forms their parent (WTForms reads _form and
    _parent_form): the same objects, held weakly."""
    weak_field_forms()
    seen = []

    class Inner(Form):
        days = IntegerField()

    class Outer(Form):
        kind = SelectField(choices=lambda form, field: seen.append(form) or [("a", "A")])
        inner = FormField(Inner)

    outer = Outer()
    assert outer.kind._form is outer and outer.inner.form._parent_form is outer
    assert outer.inner.form.meta._parent_form is outer
    assert [c for c in outer.kind.iter_choices()] and seen == [outer]
    assert 'value="a"' in outer.kind()
    field = outer.kind
    seen.clear()
    del outer  # freed at once, by its reference count: no cycle holds it
    assert field._form is None
