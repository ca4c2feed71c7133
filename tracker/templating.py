"""Jinja filters and globals shared by all templates."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace

import jinja2
import markupsafe
from flask import Flask, g, has_request_context, request, url_for
from flask_login import current_user
from markupsafe import Markup, _escape_inner, escape
from wtforms.widgets.core import clean_key

from tracker import clock
from tracker.domain import faces
from tracker.domain.cadence import MONTHS  # strftime's %b without its cost: a third of a timeline entry's
from tracker.signed_once import generate_csrf
from tracker.domain.application import salary_text
from tracker.domain.bounds import split_url
from tracker.domain.contacts import format_birthday


def install(app: Flask) -> None:
    from tracker import url_building

    url_building.install(app)  # url_for: Flask's bytes, a fraction of its cost (tracker/url_building.py)
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["local_dt"] = local_datetime
    app.jinja_env.filters["web_href"] = web_href
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["birthday"] = format_birthday
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["user_today"] = user_today
    app.jinja_env.globals["nav_items"] = lambda: _nav_items(app)
    app.jinja_env.globals["layout_links"] = lambda: _layout_links(app)
    app.jinja_env.filters["initials"] = faces.initials
    app.jinja_env.filters["face_colour"] = faces.colour_index
    app.jinja_env.filters["email_wrap"] = email_wrap
    app.jinja_env.globals["has_photo"] = _has_photo
    app.jinja_env.globals["face_html"] = face_html
    app.jinja_env.globals["initials_face"] = initials_face
    app.jinja_env.globals["salary_text"] = salary_text
    app.jinja_env.globals["demo_allowed"] = lambda: app.config["REGISTRATION"] == "open"
    # After CSRFProtect.init_app, which registered generate_csrf as `csrf_token`, and also as a
    # context processor run on every render, whose `csrf_token` shadowed this global in every
    # template (the same token, through generate_csrf's configuration lookups on each call).
    # Its other name, csrf_meta_tag, stays a global too.
    app.jinja_env.globals["csrf_token"] = csrf_token
    processors = app.template_context_processors[None]
    processors[:] = [p for p in processors if getattr(p, "__module__", None) != "flask_wtf.csrf"]
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.jinja_env.globals["form_field"] = form_field
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.template_class = Template
    install_fast_html_params()
    install_fast_widget_lookups()


def escape_output(value) -> Markup:
    """What every `{{ ... }}` of an autoescaped template calls: markupsafe.escape's Markup (the
    same text, tests/web/test_render_cost.py compares them), without its Python-level detours
    for the common cases: text goes straight to markupsafe's C escaper and into a Markup without
    Markup.__new__'s __html__ check (1.4 -> 0.5 us), an int's digits need no escaping, a Markup
    is already safe. Anything else (None, dates, objects with __html__) goes to markupsafe."""
    kind = type(value)
    if kind is str:
        return _new_str(Markup, _escape_inner(value))
    if kind is int:  # digits and "-" only (not bool, not an int subclass with its own __str__)
        return _new_str(Markup, str(value))
    if kind is Markup:
        return value
    return escape(value)


_new_str = str.__new__


class Template(jinja2.Template):
    """Jinja's template, whose compiled code calls escape_output instead of markupsafe.escape.

    The compiled module imports `escape` from jinja2.runtime (markupsafe's) into its namespace;
    this swaps it there, before the template's functions first run. Every template and macro
    of the app's environment is loaded through here (Environment.template_class)."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = escape_output
        return super()._from_namespace(environment, namespace, globals)

    def _get_default_module(self, ctx=None):
        """Jinja's module of an imported template (`{% from "_macros/forms.html" import field %}`):
        made once, unless the importing context has globals this template lacks. Jinja asks that
        with `ctx.globals_keys - self.globals.keys()`, a ChainMap's view tested name by name in
        Python on every import (about 20 us; a page of includes imports a dozen times); a set
        of the template's global names answers the same question in C."""
        if ctx is not None and not ctx.globals_keys.issubset(set(self.globals)):
            return super()._get_default_module(ctx)  # new globals: Jinja's own module for them
        return super()._get_default_module(None)  # the module made once


def csrf_token() -> str:
    """The request's CSRF token: Flask-WTF's `generate_csrf` (signing once per process:
    tracker/signed_once.py), which keeps the token it made in `g.csrf_token` (its documented
    place) and returns that on every later call; read from there first, the lists' dozens of
    forms skip its configuration lookups (20 us a call)."""
    token = g.get("csrf_token")
    return token if token is not None else generate_csrf()


def csrf_input() -> Markup:
    """The hidden field every POST form carries (the `csrf` macro of _macros/forms.html)."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token())}">')


def form_field(f, class_: str = "", autofocus: bool = False, **kwargs) -> Markup:
    """A form field with its label, its hint and its errors tied to the input for screen readers
    (the `field` macro of _macros/forms.html): a function, not a macro, because a macro call
    costs more than the field it draws (Settings draws 36). Byte for byte what the macro wrote
    (tests/web/test_render_cost.py keeps the macro's text to compare); of the other keywords,
    only `list` (a datalist's id) reaches the input, as before. Label, hint, errors and
    `class_` are escaped; the input and label are WTForms' own (escaped by it)."""
    errors = f.errors
    described = []
    if f.description:
        described.append(f"{f.id}-hint")
    if errors:
        described.append(f"{f.id}-error")
    # WTForms leaves out an attribute whose value is False (and writes None as "None").
    control = f(**{"aria-describedby": " ".join(described) or False, "aria-invalid": "true" if errors else False,
                   "autofocus": autofocus, "list": kwargs.get("list", False)})
    if f.type == "BooleanField":
        inner = f'<label class="check">{control} {escape(f.label.text)}</label>'
    else:
        inner = f"{f.label()}\n      {control}"
    hint = f'<p class="hint" id="{escape(f.id)}-hint">{escape(f.description)}</p>' if f.description else ""
    error = f'<p class="error" id="{escape(f.id)}-error">{Markup(" ").join(errors)}</p>' if errors else ""
    return Markup(f'  <div class="field {escape(class_)} {"has-error" if errors else ""}">\n      {inner}\n'
                  f"{hint}{error}  </div>")


def install_fast_html_params() -> None:
    """Every WTForms widget (each input, each <option>) writes its attributes through
    `wtforms.widgets.core.html_params` (inputs and buttons through their class's copy of it), which builds one `Markup.format` per attribute: a
    third of the settings page's CPU. `html_params` below gives the same bytes (tests/web/
    test_render_cost.py compares them on hostile values) with plain string formatting.
    Idempotent; every app in the process shares it, like the library function it replaces."""
    import wtforms.widgets
    from wtforms.widgets import core

    core.html_params = html_params  # Select, TextArea, option tags: the module's function
    wtforms.widgets.html_params = html_params  # every <label> (wtforms.fields.core.Label)
    core.Input.html_params = core.Button.html_params = staticmethod(html_params)  # every <input>, <button>


def install_fast_widget_lookups() -> None:
    """Two lookups WTForms 3.3 repeats on every widget it draws, made once:

    - `dir(field.flags)`: each <input>, <textarea> and <select> lists its field's flags to copy
      `required`, `maxlength`... onto the element. `Flags` keeps its flags as instance
      attributes and has no others of those names, but object.__dir__ also walks the class
      and its bases (about 4 us, over 60 times on Settings). `Flags.__dir__` below lists the
      instance's own attributes, sorted as dir() sorts them: the same flags reach the widget.
    - `Select._dispatch_render_option`: each <select> reads its class's `render_option`
      signature with inspect.signature (to warn about the pre-3.3 one, about 40 us) though
      a class's method does not change; kept per class.
    - `Select.render_option`: each <option> built a dict of attributes, escaped its label into
      a Markup and wrote its attributes through html_params; an option with text for a value
      and no attributes of its own (every option of the app's selects) is written directly
      (`render_option` below), any other goes to WTForms' own.
    - `clean_key` (`class_` -> `class`, `data_x` -> `data-x`): each field drawn cleans every
      keyword it was given (`DefaultMeta.render_field`) before the widget cleans them again;
      the app has a few dozen names, each cleaned once (`clean_attribute`).

    Idempotent; every app in the process shares it, like the library it changes. tests/web/
    test_render_cost.py compares the widgets' bytes with and without it."""
    from functools import cache

    from wtforms.fields.core import Flags
    from wtforms.widgets.core import Select

    import wtforms.meta

    Flags.__dir__ = _flag_names
    wtforms.meta.clean_key = clean_attribute
    if not getattr(Select.render_option, "tracker_fast", False):
        _library_render_option.append(Select.render_option)
        Select.render_option = classmethod(render_option)
    dispatch = Select.__dict__["_dispatch_render_option"].__func__
    if not hasattr(dispatch, "cache_info"):
        Select._dispatch_render_option = classmethod(cache(dispatch))


_library_render_option: list = []  # WTForms' Select.render_option, as it was before install


def render_option(cls, choice, **kwargs) -> Markup:
    """WTForms 3.3's `Select.render_option` (`<option selected value="v">label</option>`: the
    attributes sorted, value and label escaped) for an option with a text value and no
    attributes of its own; anything else is WTForms' own."""
    value = choice.value
    if kwargs or choice.render_kw or type(value) is not str:
        return _library_render_option[0].__func__(cls, choice, **kwargs)
    label = choice.label or value
    text = _escape_inner(label) if type(label) is str else str(escape(label))
    selected = "selected " if choice.selected else ""
    return _new_str(Markup, f'<option {selected}value="{_escape_inner(value)}">{text}</option>')


render_option.tracker_fast = True  # installed (install_fast_widget_lookups is idempotent)


def _flag_names(flags) -> list[str]:
    """dir() of a WTForms Flags: its flags (instance attributes), sorted."""
    return sorted(vars(flags))


@lru_cache(maxsize=1024)
def clean_attribute(key: str) -> str:
    """WTForms' `clean_key` of a keyword (`class_` -> `class`, `data_x_y` -> `data-x-y`), kept:
    the keywords are the app's own names, asked for on every field drawn."""
    return clean_key(key)


@lru_cache(maxsize=1024)
def _attribute_name(key: str) -> str:
    """The attribute a keyword of html_params writes: cleaned, then escaped."""
    return _escape_inner(clean_key(key))


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params` (3.x): sorted attributes, `True` bare, `False` left out, keys
    cleaned (`class_` -> `class`, `data_x_y` -> `data-x-y`), keys and values escaped, and a
    double quote in an already-safe value written as `&quot;` so it cannot end the attribute."""
    params = []
    for key in sorted(kwargs):
        value = kwargs[key]
        if value is False:
            continue
        name = _attribute_name(key)
        if value is True:
            params.append(name)
        else:
            # str(escape(value)) without the Markup in between: markupsafe's C escaper for
            # text, an int's digits as they are, anything else (Markup, None, numbers) escape().
            kind = type(value)
            text = _escape_inner(value) if kind is str else str(value) if kind is int else str(escape(value))
            params.append(f'{name}="{text.replace(chr(34), "&quot;")}"')
    return _new_str(Markup, " ".join(params))  # every piece escaped above: no __html__ check needed


def format_day(value: date | datetime | None, year: bool = True) -> str:
    """"3 Oct 2026"; with year=False "3 Oct" when it falls in the user's current year (a day
    of another year always shows it: "due 3 Oct" must not hide that it was in 2023); "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone()).date()
    if not year and value.year != user_today().year:
        year = True
    month = MONTHS[value.month - 1]
    return f"{value.day} {month} {value.year}" if year else f"{value.day} {month}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 card", "2 cards", "0 cards"; `plural_form` for the irregular ones ("1 person", "2 people")."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def local_datetime(value: datetime | None) -> str:
    """An aware datetime in the user's zone: "3 Oct 2026, 14:30"."""
    if value is None:
        return ""
    local = value.astimezone(_zone())
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local.hour:02}:{local.minute:02}"



def web_href(value: str | None) -> str:
    """`value` as a link target if it is an http(s) address ("example.com" gains https://), else "".

    Imported and typed URLs are hostile: `javascript:` and other schemes never become links.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value and not value.lower().startswith(("javascript:", "data:", "vbscript:")):
        value = "https://" + value
    parts = split_url(value)
    return value if parts and parts.scheme.lower() in ("http", "https") and parts.hostname else ""


def user_today() -> date:
    """The signed-in user's local date; read once per request (lists show "due 3 Oct" on each
    row, and the day cannot change within a request: one request, one "today")."""
    if not has_request_context():
        return clock.today(_tz())
    cached = request.__dict__.get("_tracker_today")
    if cached is None:
        cached = request.__dict__["_tracker_today"] = clock.today(_tz())
    return cached


def _zone():
    """The signed-in user's ZoneInfo, looked up once per request."""
    if not has_request_context():
        return clock.zone(_tz())
    cached = request.__dict__.get("_tracker_zone")
    if cached is None:
        cached = request.__dict__["_tracker_zone"] = clock.zone(_tz())
    return cached


def _tz() -> str:
    """The signed-in user's time zone ("UTC" when nobody is), looked up once per request:
    lists format two dates a row, and each `current_user` lookup goes through Flask-Login."""
    if not has_request_context():
        return getattr(current_user, "timezone", None) or "UTC"
    cached = request.__dict__.get("_tracker_tz")
    if cached is None:
        cached = request.__dict__["_tracker_tz"] = getattr(current_user, "timezone", None) or "UTC"
    return cached


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _nav_items(app: Flask) -> list[tuple[str, str, str]]:
    """(area, address, label) of each menu entry. The addresses depend only on the URL map and
    the path the app is mounted at, so they are built once per mount path, not per request."""
    from tracker.views import NAV

    cache = app.extensions.setdefault("tracker.nav", {})
    key = request.script_root if has_request_context() else ""
    if key not in cache:
        cache[key] = [(area, url_for(endpoint), label) for area, endpoint, label in NAV
                      if endpoint in app.view_functions]
    return cache[key]


# What base.html links to on every page: name -> (endpoint, arguments).
LAYOUT_LINKS = {
    "tom_select_css": ("static", {"filename": "vendor/tom-select/tom-select.min.css"}),
    "app_css": ("static", {"filename": "css/app.css"}),
    "favicon": ("static", {"filename": "favicon.svg"}),
    "tom_select_js": ("static", {"filename": "vendor/tom-select/tom-select.popular.min.js"}),
    "app_js": ("static", {"filename": "js/app.js"}),
    "quick_contact": ("people.quick_contact", {}),
    "dashboard": ("dashboard.index", {}),
    "login": ("auth.login", {}),
    "account": ("account.index", {}),
    "logout": ("auth.logout", {}),
    "search": ("find.search", {}),
    "shortcuts": ("find.shortcuts", {}),
}


def _layout_links(app: Flask) -> SimpleNamespace:
    """The addresses of LAYOUT_LINKS (`links.app_css`...). Like the menu's, they depend only on
    the URL map and the mount path: built once per mount path, not a dozen url_for a request."""
    cache = app.extensions.setdefault("tracker.layout_links", {})
    key = request.script_root if has_request_context() else ""
    if key not in cache:
        cache[key] = SimpleNamespace(**{name: url_for(endpoint, **arguments)
                                        for name, (endpoint, arguments) in LAYOUT_LINKS.items()})
    return cache[key]


def email_wrap(value: str | None) -> Markup:
    """An e-mail address (or any long dotted text) with break opportunities after "@" and
    dots, so a narrow column wraps it at a sensible place instead of mid-word. Escaped."""
    text = _escape_inner(value) if type(value) is str else str(escape(value or ""))  # the same text, faster
    return Markup(text.replace("@", "@<wbr>").replace(".", ".<wbr>"))


def face_html(contact, size: str = "") -> Markup:
    """A person's face (the `face` macro of _macros/faces.html): their imported photo, else
    their initials on the colour of their name; decorative beside the name it goes with.
    A function, not a macro: lists draw one per row (the board about 400)."""
    if _has_photo(contact):
        src = escape(url_for("people.photo", contact_id=contact.id))
        return Markup(f'<img class="face {escape(size)}" src="{src}" alt="" loading="lazy" width="32" height="32">')
    return initials_face(contact.full_name, size)


@lru_cache(maxsize=4096)
def initials_face(name: str, size: str = "") -> Markup:
    """The face of a person without a photo: their initials on the colour of their name. Kept
    per (name, size): a pure function of them, and lists draw the same people on every view
    (deriving initials and colour again was most of a face's cost)."""
    return Markup(f'<span class="face face-{faces.colour_index(name)} {escape(size)}" aria-hidden="true">'
                  f'{escape(faces.initials(name))}</span>')


def _has_photo(contact) -> bool:
    from tracker.services.photos import has_photo

    return has_photo(contact)
