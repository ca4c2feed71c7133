"""What every page's rendering shares (issue 17, the fixed cost of a request): the faster
form-attribute writer gives WTForms' own bytes, the per-row CSRF field is the request's real
token, and the follow-ups list leaves each message draft to the follow-up's page."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from markupsafe import Markup
from sqlalchemy import select
from wtforms.widgets import core

from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.templating import html_params

class _Number(int):
    def __str__(self):
        return "<1>"


CASES = {
    "plain": dict(id="f-1", name="title", type="text", value="Ada"),
    "quotes and tags": dict(value='"><script>alert(1)</script>', placeholder="it's <b>"),
    "safe text with a quote": dict(value=Markup('a "quoted" word'), title=Markup("<i>x</i>")),
    "booleans": dict(required=True, disabled=False, checked=True, autofocus=False),
    "renamed keys": dict(class_="wide", for_="x", data_draft_from="/a?b=1&c=2", aria_describedby="h e"),
    "numbers and none": dict(maxlength=300, value=None, step=0.5, min=0),
    "ampersands": dict(href="/x?a=1&amp;b=2", value="R&D"),
    "empty": {},
    "unicode, int subclasses, markup keys": dict(title="ünï <✓> 'q'", data_n=_Number(7), value=-(10**20),
                                                  placeholder=Markup("a &amp; b")),
}


def _reference(**kwargs) -> Markup:
    """WTForms 3.x html_params, verbatim (wtforms/widgets/core.py), to compare bytes with."""
    params = []
    for k, v in sorted(kwargs.items()):
        k = core.clean_key(k)
        if v is True:
            params.append(k)
        elif v is False:
            pass
        else:
            v = Markup.escape(v).replace(Markup('"'), Markup("&quot;"))
            params.append(Markup('{k}="{v}"').format(k=k, v=v))
    return Markup(" ").join(params)


@pytest.mark.parametrize("kwargs", CASES.values(), ids=CASES.keys())
def test_form_attributes_are_the_libraries_bytes(kwargs):
    assert html_params(**kwargs) == _reference(**kwargs)
    assert isinstance(html_params(**kwargs), Markup)


def test_widgets_use_it_and_still_escape(app):
    from wtforms import Form, StringField

    class F(Form):
        name = StringField()

    # Installed by create_app: the module's function and the inputs' and buttons' own copy.
    assert core.html_params is html_params and core.TextInput.html_params is html_params
    assert core.Button.html_params is html_params
    import wtforms.widgets

    assert wtforms.widgets.html_params is html_params  # labels: wtforms.fields.core.Label
    hostile = {"class_": 'x" onclick="y', "data_hint": "<i>"}
    label = F().name.label(**hostile)
    assert str(label) == f'<label {_reference(**hostile, for_="name")}>Name</label>'
    assert str(label) == '<label class="x&#34; onclick=&#34;y" data-hint="&lt;i&gt;" for="name">Name</label>'
    html = str(F(data={"name": '"><img src=x onerror=alert(1)>'}).name())
    assert "<img" not in html and "&#34;&gt;&lt;img" in html


@pytest.fixture
def followups(user_client, in_db):
    """Jo's thank-you (has a draft) and a manual "other" follow-up (no template), with Ada."""
    from tracker.services.contacts import ContactInput, Detail, save_contact
    from tracker.services.followups import FollowUpInput, create_followup

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def make():
        user = db.session.scalar(select(User))
        user.display_name = "Jo Example"
        ada = save_contact(user, None, ContactInput(full_name="Ada <Lovelace>", role="recruiter", company="Acme",
                                                    emails=[Detail("ada@acme.test")]))
        thanks = create_followup(user, FollowUpInput(title="Thank Ada", kind="thank_you", due_on=clock.today(),
                                                     contact=ada))
        other = create_followup(user, FollowUpInput(title="Water the plants", kind="other", due_on=clock.today()))
        db.session.commit()
        return thanks.id, other.id

    return in_db(make)


def test_the_list_links_each_draft_to_the_page_that_fills_it(user_client, followups):
    thanks, other = followups
    page = user_client.get("/followups/").get_data(as_text=True)
    # No draft is filled in on the list: the text of the thank-you template is not there...
    assert "Thank you for taking the time" not in page and "data-draft-body" not in page
    # ...a box points at the follow-up's page instead (fetched when opened; a link without JS).
    sources = re.findall(r'data-draft-from="([^"]+)"', page)
    assert sources == [f"/followups/{thanks}"]
    assert f'href="/followups/{thanks}#draft-h"' in page
    # That page has the draft box the script takes, filled in and escaped.
    draft = user_client.get(sources[0]).get_data(as_text=True)
    box = draft[draft.index("data-draft"):]
    assert "data-draft-body" in box and "Thank you for taking the time" in box and "Jo Example" in box
    assert "mailto:ada@acme.test?subject=" in box
    assert "Ada <Lovelace>" not in draft and "Ada &lt;Lovelace&gt;" in draft


def test_the_list_leaves_each_rows_other_actions_to_the_page_it_opens(user_client, followups):
    thanks, other = followups
    page = user_client.get("/followups/").get_data(as_text=True)
    # One form per open row on the list: Done. Snooze, dismiss and "log a touchpoint too" are
    # behind each row's "More", which opens (or, with JavaScript, fetches) the follow-up's page.
    forms = [a for a in re.findall(r'<form method="post" action="([^"]+)"', page) if a.startswith("/followups/")]
    assert forms == [f"/followups/{thanks}/complete", f"/followups/{other}/complete"]
    assert "/snooze" not in page and "/dismiss" not in page and "log_touch" not in page
    assert re.findall(r'data-more-from="([^"]+)"', page) == [f"/followups/{thanks}", f"/followups/{other}"]
    for fid in (thanks, other):
        assert f'<a href="/followups/{fid}">Log a touchpoint, snooze or dismiss</a>' in page
        actions = user_client.get(f"/followups/{fid}").get_data(as_text=True)
        actions = actions[actions.index('class="fu-actions"'):]
        for route in ("complete", "snooze", "dismiss"):
            assert f'action="/followups/{fid}/{route}"' in actions
    assert 'name="log_touch"' in user_client.get(f"/followups/{thanks}").get_data(as_text=True)


def test_every_form_of_the_list_carries_the_sessions_token(user_client, followups):
    thanks, _ = followups
    page = user_client.get("/followups/").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1 and len(re.findall(r'name="csrf_token"', page)) == 3  # sign-out and two Done
    # The token is the real one: a form posted with it works, one without it is refused.
    done = user_client.post(f"/followups/{thanks}/dismiss", data={"csrf_token": tokens.pop()})
    assert done.status_code == 302
    refused = user_client.post(f"/followups/{thanks}/reopen", data={"csrf_token": "forged"})
    assert refused.status_code == 400


def test_faces_on_the_list_are_escaped_initials_on_the_names_colour(user_client, in_db):
    from tracker.domain import faces
    from tracker.services.contacts import ContactInput, save_contact

    name = '<b onmouseover="x">Zed</b> "Evil" Ünal'

    def make():
        user = db.session.scalar(select(User))
        save_contact(user, None, ContactInput(full_name=name, role="peer"))
        db.session.commit()

    in_db(make)
    page = user_client.get("/contacts/").get_data(as_text=True)
    expected = f'<span class="face face-{faces.colour_index(name)} " aria-hidden="true">{faces.initials(name)}</span>'
    assert faces.initials(name) == "BÜ" and expected in page
    assert "<b onmouseover" not in page


def test_templates_are_compiled_once_per_process(app, user_client):
    """Outside debug, Jinja neither checks the files again nor recompiles: a page's templates
    are loaded once, whatever the number of requests (the cache holds every template)."""
    from pathlib import Path

    assert app.jinja_env.auto_reload is False
    assert app.jinja_env.cache.capacity > len(list(Path(app.template_folder).rglob("*.html")))
    loads = []
    loader = app.jinja_env.loader
    original = loader.get_source
    loader.get_source = lambda env, name: (loads.append(name), original(env, name))[1]
    try:
        for _ in range(3):
            assert user_client.get("/followups/").status_code == 200
    finally:
        del loader.get_source
    assert loads.count("base.html") <= 1 and loads.count("followups/index.html") <= 1


class _Html:
    def __html__(self):
        return "<b>safe</b>"


ESCAPED = ["plain", "", "<script>alert('x')</script>", 'a "quoted" & <b>', "ünï ✓ 🙂", 0, -12, 10**40, True, False,
           1.5, None, Markup("<i>safe</i>"), Markup(""), _Html(), _Number(3), date(2026, 1, 2), ["<a>"], b"<x>"]


@pytest.mark.parametrize("value", ESCAPED, ids=[repr(v)[:30] for v in ESCAPED])
def test_template_output_is_markupsafes_escape(value):
    from markupsafe import escape

    from tracker.templating import escape_output

    assert escape_output(value) == escape(value)
    assert type(escape_output(value)) is Markup


def test_every_template_escapes_with_it(app, user_client, in_db):
    """Compiled templates call escape_output for `{{ ... }}`, and text a person typed is still
    escaped on the page."""
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.templating import escape_output

    for name in ("base.html", "contacts/index.html", "_macros/forms.html"):
        template = app.jinja_env.get_template(name)
        assert template.root_render_func.__globals__["escape"] is escape_output

    def make():
        save_contact(db.session.scalar(select(User)), None, ContactInput(full_name="<script>x()</script> & Co", role="peer"))
        db.session.commit()

    in_db(make)
    page = user_client.get("/contacts/").get_data(as_text=True)
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt; &amp; Co" in page


def test_a_list_reads_the_users_day_once_whatever_its_rows(user_client, in_db, monkeypatch):
    """"due 3 Oct" on every row asks for the user's today: once per request, not once per row."""
    from datetime import timedelta

    from tracker.services.followups import FollowUpInput, create_followup

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def add(n):
        user = db.session.scalar(select(User))
        for i in range(n):
            create_followup(user, FollowUpInput(title=f"Write {i}", kind="other", due_on=clock.today() + timedelta(days=i)))
        db.session.commit()

    calls = []
    real = clock.today
    monkeypatch.setattr(clock, "today", lambda tz="UTC": (calls.append(tz), real(tz))[1])

    def reads(n):
        in_db(lambda: add(n))
        user_client.get("/followups/")
        calls.clear()
        page = user_client.get("/followups/").get_data(as_text=True)
        assert page.count("Write ") >= n
        return len(calls)

    few = reads(1)
    # A page with more sections asks once more (the view's own today); 20 or 40 rows: the same.
    many = reads(20)
    assert many <= few + 1 and reads(20) == many


# The `field` macro of _macros/forms.html as it was before tracker.templating.form_field took
# its place, verbatim: the function must write its bytes.
FIELD_MACRO = """{% macro field(f, class_="", autofocus=false) -%}
  {# WTForms renders None as the text "None" and False as no attribute at all. #}
  {% set described = [] %}
  {% if f.description %}{% set _ = described.append(f.id ~ '-hint') %}{% endif %}
  {% if f.errors %}{% set _ = described.append(f.id ~ '-error') %}{% endif %}
  {% set attrs = {'aria-describedby': described|join(' ') or false, 'aria-invalid': 'true' if f.errors else false,
                  'autofocus': autofocus, 'list': kwargs.get('list', false)} %}
  <div class="field {{ class_ }} {% if f.errors %}has-error{% endif %}">
    {% if f.type == 'BooleanField' %}
      <label class="check">{{ f(**attrs) }} {{ f.label.text }}</label>
    {% else %}
      {{ f.label() }}
      {{ f(**attrs) }}
    {% endif %}
    {% if f.description %}<p class="hint" id="{{ f.id }}-hint">{{ f.description }}</p>{% endif %}
    {% if f.errors %}<p class="error" id="{{ f.id }}-error">{{ f.errors|join(' ') }}</p>{% endif %}
  </div>
{%- endmacro %}"""

FIELD_CALLS = {
    "plain": ("text", {}),
    "every option": ("text", dict(class_="span-2", autofocus=True, list="company-names")),
    "ignored keywords": ("text", dict(class_="span-2", size=8)),
    "hostile class": ("text", dict(class_='x" onclick="y <b>')),
    "boolean": ("check", {}),
    "boolean with errors": ("check", dict(autofocus=True)),
    "select": ("select", dict(class_="span-all")),
    "textarea": ("area", {}),
    "autofocus off": ("area", dict(autofocus=False)),
}


def _field_form():
    from flask_wtf import FlaskForm
    from wtforms import BooleanField, SelectField, StringField

    from tracker.forms import choices
    from tracker.forms.fields import TextAreaField

    class F(FlaskForm):
        text = StringField('Name <b> & "co"', description="Ünïcode hint <i>x</i> & more")
        check = BooleanField("")
        select = SelectField("Pick", choices=choices([("a", "<A>"), ("b", "Bé")]), description=Markup("<em>safe</em> hint"))
        area = TextAreaField("Notes " + "long " * 200)

    return F


@pytest.mark.parametrize("errors", [[], ["Too long <script>", Markup("<b>Safe</b> &amp;"), "ünï"]], ids=["valid", "errors"])
@pytest.mark.parametrize("name", FIELD_CALLS, ids=FIELD_CALLS.keys())
def test_form_field_writes_the_old_macros_bytes(app, name, errors):
    from tracker.templating import form_field

    attribute, options = FIELD_CALLS[name]
    macro = app.jinja_env.from_string(FIELD_MACRO + "{{ field(f, **options) }}")
    function = app.jinja_env.from_string('{% from "_macros/forms.html" import field %}{{ field(f, **options) }}')
    with app.test_request_context():
        form = _field_form()(formdata=None, data={"text": '"><img src=x>', "area": "a\nb <c>", "check": True})
        f = getattr(form, attribute)
        f.errors = list(errors)
        expected = macro.render(f=f, options=options)
        assert function.render(f=f, options=options) == expected
        assert form_field(f, **options) == expected and isinstance(form_field(f, **options), Markup)
        assert "<script>" not in expected and "<img" not in expected


def test_widgets_draw_the_same_flags_with_the_kept_lookups(app, monkeypatch):
    """install_fast_widget_lookups: each widget copies the same flags (required, maxlength, min...)
    onto its element as WTForms' own lookups did, and a <select> draws the same options."""
    from wtforms import Form, IntegerField, SelectField, StringField
    from wtforms.fields.core import Flags
    from wtforms.validators import DataRequired, Length, NumberRange, Optional
    from wtforms.widgets.core import Select

    from tracker.forms import choices
    from tracker.forms.fields import TextAreaField

    class F(Form):
        name = StringField("Name", validators=[DataRequired(), Length(min=2, max=30)])
        plain = StringField("Plain")
        count = IntegerField("Count", validators=[Optional(), NumberRange(1, 99)])
        notes = TextAreaField("Notes", validators=[DataRequired(), Length(max=500)])
        pick = SelectField("Pick", choices=choices([("a", "<A>"), ("b", "Bé")]), validators=[DataRequired()])

    def draw():
        form = F(data={"name": "Ada", "count": 3, "notes": "a <b>", "pick": "b"})
        return [str(f(**{"class_": "x", "data_row_id": 3, "aria_label": "<n>"})) for f in form]

    fast = draw()
    assert 'maxlength="30" minlength="2" name="name" required' in fast[0]
    assert 'max="99" min="1"' in fast[2] and '<option selected value="b">Bé</option>' in fast[4]
    assert Flags.__dir__ is not object.__dir__ and hasattr(Select._dispatch_render_option, "cache_info")
    import wtforms.meta

    from tracker.templating import clean_attribute

    assert wtforms.meta.clean_key is clean_attribute
    for key in ("class_", "for_", "data_draft_from", "aria_describedby", "data-x", "type", "_", "data_", "x__"):
        assert clean_attribute(key) == core.clean_key(key)
    monkeypatch.setattr(wtforms.meta, "clean_key", core.clean_key)
    monkeypatch.setattr(Flags, "__dir__", object.__dir__)
    monkeypatch.setattr(Select, "_dispatch_render_option", classmethod(Select._dispatch_render_option.__wrapped__))
    assert draw() == fast
    flags = F().name.flags
    assert [n for n in dir(flags) if not n.startswith("_")] == ["maxlength", "minlength", "required"]


@pytest.mark.parametrize("name", ['<b onmouseover="x">Zed</b> "Evil" Ünal', "", "ß" * 200], ids=["html", "empty", "long"])
def test_the_headers_face_is_the_signed_in_persons_escaped(user_client, in_db, name):
    """The account menu's face (tracker.templating.initials_face, kept per name): the initials
    and colour of the display name (else the e-mail address), escaped, as the filters wrote them."""
    from tracker.domain import faces

    def rename():
        db.session.scalar(select(User)).display_name = name
        db.session.commit()

    in_db(rename)
    page = user_client.get("/shortcuts").get_data(as_text=True)
    me = name or "jo@example.com"
    initials = faces.initials(me).replace("&", "&amp;").replace("<", "&lt;")
    assert f'<span class="face face-{faces.colour_index(me)} tiny" aria-hidden="true">{initials}</span>' in page
    assert "<b onmouseover" not in page


class _Lazy:
    def __str__(self):
        return "lazy <label>"


OPTIONS = [("a", "<A> & \"b\""), ("", "None yet"), ("ünï", "Bé ✓"), ("x\"y", ""), ("q", Markup("<i>safe</i>")),
           ("l", _Lazy()), (3, "three"), (True, "yes"), ("r", "with attributes")]


@pytest.mark.parametrize("kwargs", [{}, {"class_": "x"}], ids=["plain", "keywords"])
@pytest.mark.parametrize("selected", [False, True], ids=["not selected", "selected"])
@pytest.mark.parametrize("option", OPTIONS, ids=[repr(o[0]) for o in OPTIONS])
def test_options_are_wtforms_bytes(app, option, selected, kwargs):
    """tracker.templating.render_option (installed as Select.render_option) writes WTForms' own
    <option> for every kind of value and label, with or without attributes."""
    from wtforms.fields.choices import Choice
    from wtforms.widgets.core import Select

    from tracker.templating import _library_render_option

    value, label = option
    render_kw = {"data_x": "1"} if label == "with attributes" else {}
    choice = Choice(value, label, selected, render_kw)
    ours = Select.render_option(choice, **kwargs)
    assert ours == _library_render_option[0](choice, **kwargs)
    assert isinstance(ours, Markup) and getattr(Select.render_option, "tracker_fast", False)


@pytest.mark.parametrize("template_class", ["jinja", "tracker"])
def test_imports_give_jinjas_modules(template_class):
    """tracker.templating.Template._get_default_module: an imported template's module is made
    once and reused, and an importer whose context has globals the imported template lacks gets
    a module made with them, as Jinja's own does (both classes run the same cases)."""
    import jinja2

    from tracker.templating import Template

    sources = {"macros.html": "{% set shown = extra|default('none') %}{% macro hi(x) %}[{{ x }} {{ shown }}]{% endmacro %}",
               "page.html": '{% from "macros.html" import hi %}{{ hi(name) }}',
               "part.html": '{% include "page.html" %}'}
    env = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=True)
    if template_class == "tracker":
        env.template_class = Template
    env.globals["site"] = "tracker"
    modules = []
    macros = env.get_template("macros.html")
    real = jinja2.Template._get_default_module

    def spy(self, ctx=None):
        module = real(self, ctx)
        modules.append(module)
        return module

    jinja2.Template._get_default_module = spy
    try:
        assert env.get_template("page.html").render(name="<a>") == "[&lt;a&gt; none]"
        assert env.get_template("part.html").render(name="b") == "[b none]"
        with_extra = env.get_template("page.html", globals={"extra": "<x>"})
        assert with_extra.render(name="c") == "[c &lt;x&gt;]"
    finally:
        jinja2.Template._get_default_module = real
    assert modules[0] is modules[1] is macros.module  # made once, for plain and included pages
    assert modules[2] is not macros.module  # the importer's own global: a module of its own


def test_templates_sign_with_the_requests_csrf_token_through_trackers_global(app):
    """Flask-WTF's context processor, which put its own `csrf_token` over tracker's global on
    every render, is gone; the token a template writes is still Flask-WTF's, and its
    csrf_meta_tag is still there."""
    from flask import render_template_string
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context("/"):
        context: dict = {}
        app.update_template_context(context)
        assert "csrf_token" not in context
        token = render_template_string("{{ csrf_token() }}")
        assert token and token == generate_csrf()
        assert render_template_string("{{ csrf_meta_tag() }}") == f'<meta name="csrf-token" content="{token}">'
