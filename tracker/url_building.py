"""A cheaper `url_for` with Flask's own output (issue 17, the fixed cost of a page).

Flask's `url_for` costs about 20 us a call, and a list page makes 100-200 of them (a link per
row and column). Most of it is generic work around the one step that matters: Flask looks up
the request's context, runs the url_defaults hooks, asks the URL map to sort itself, copies
the values, tries each rule of the endpoint for the default method and then for any method
and works out whether the address must be absolute. Werkzeug then calls the rule's compiled
builder, which converts each value with the rule's own converters and encodes the rest as
the query string.

`UrlBuilder` keeps, per endpoint, the one rule that can build it, and calls that rule's
builder directly (`Rule.build`: the same converters, the same query encoding, so the same
bytes), then adds the mount path and the anchor as Flask does. It answers only where that is
provably Flask's answer, and hands every other call to Flask's own `url_for`, unchanged:

- outside a request (mails, the CLI, the feed), or with `_external`, `_scheme` or `_method`;
- an endpoint with several rules, rule defaults, a subdomain, a websocket rule, or a map with
  host matching; any url_defaults hook registered (Flask would call it);
- an unknown endpoint, a missing argument, a value the rule's converter refuses (Flask then
  raises its BuildError or calls `handle_url_build_error`).

tests/web/test_url_building.py compares it with Flask's for every endpoint of the URL map,
with hostile values, with and without a mount path (SCRIPT_NAME).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_plus

from flask import Flask
from flask.globals import _cv_request
from werkzeug.routing import IntegerConverter, ValidationError

# Flask's quoting of `_anchor` (flask/app.py, Flask.url_for).
ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
# Werkzeug's quoting of query arguments (werkzeug/urls.py, _urlencode: urlencode with quote_plus).
QUERY_SAFE = "!$'()*,/:;?@"
# Plans kept: one per endpoint and ordered argument names a page passes; a bound against a
# caller that invents argument names.
MAX_PLANS = 4096

_NO_PLAN = object()  # a call left to Flask (see the module's list)


class UrlBuilder:
    """`app.url_for` (and the templates' `url_for`): the fast path above, else Flask's."""

    def __init__(self, app: Flask):
        self.app = app
        self.flask_url_for = Flask.url_for.__get__(app)
        self.plans: dict[tuple, Any] = {}

    def __call__(self, endpoint: str, /, *, _anchor: str | None = None, _method: str | None = None,
                 _scheme: str | None = None, _external: bool | None = None, **values: Any) -> str:
        ctx = _cv_request.get(None)
        if ctx is not None and _method is None and _scheme is None and not _external:
            name = endpoint
            if name[:1] == ".":
                blueprint = ctx.request.blueprint
                name = f"{blueprint}{name}" if blueprint is not None else name[1:]
            # Werkzeug's MapAdapter.build drops None values first (a None never reaches the URL).
            given = {k: v for k, v in values.items() if v is not None}
            key = (name, *given)
            plan = self.plans.get(key)
            if plan is None:
                if len(self.plans) >= MAX_PLANS:
                    self.plans.clear()
                plan = self.plans[key] = self._plan(name, given)
            adapter = ctx.url_adapter
            if plan is not _NO_PLAN and adapter is not None and adapter.subdomain == "":
                url = plan(given)
                if url is not None:
                    url = f"{adapter.script_name.rstrip('/')}/{url.lstrip('/')}"
                    if _anchor is not None:
                        url = f"{url}#{quote(_anchor, safe=ANCHOR_SAFE)}"
                    return url
        return self.flask_url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                  _external=_external, **values)

    def _plan(self, endpoint: str, given: dict):
        """How to build `endpoint` from these argument names (in this order), or _NO_PLAN."""
        url_map = self.app.url_map
        rules = url_map._rules_by_endpoint.get(endpoint, ())
        if (len(rules) != 1 or url_map.host_matching or url_map.sort_parameters
                or any(self.app.url_default_functions.values())):
            return _NO_PLAN
        rule = rules[0]
        if (rule.defaults or rule.subdomain or rule.host or rule.websocket
                or not rule.arguments <= given.keys()):  # a missing argument: Flask's BuildError
            return _NO_PLAN
        return Plan.make(rule, [k for k in given if k not in rule.arguments])


class Plan:
    """The path of one rule as text between its arguments, found by building it once with
    sentinel values (the rule's own builder: its static parts quoted as Werkzeug quotes them);
    each argument then goes through the rule's converter (`to_url`, as Werkzeug's builder
    calls it), the other names to the query string as Werkzeug's `_urlencode` writes them."""

    __slots__ = ("rule", "pieces", "names", "converters", "query")

    @classmethod
    def make(cls, rule, query_names: list[str]):
        names, sentinels = [], {}
        for i, name in enumerate(sorted(rule.arguments)):
            converter = rule._converters[name]
            sentinel = str(987_654_321_000 + i) if isinstance(converter, IntegerConverter) else f"tRkSeNtInEl{i}x"
            try:
                if converter.to_url(int(sentinel) if sentinel.isdigit() else sentinel) != sentinel:
                    return _NO_PLAN  # a converter that pads or rewrites (fixed digits, any, uuid ...)
            except Exception:  # noqa: BLE001  (a converter that refuses it: leave the rule to Flask)
                return _NO_PLAN
            names.append(name)
            sentinels[name] = int(sentinel) if sentinel.isdigit() else sentinel
        built = rule.build(sentinels, append_unknown=False)
        if built is None or built[0] != "":
            return _NO_PLAN
        path = built[1]
        order = sorted(names, key=lambda n: path.find(str(sentinels[n])))
        pieces = []
        for name in order:
            mark = str(sentinels[name])
            if path.count(mark) != 1:
                return _NO_PLAN
            before, path = path.split(mark)
            pieces.append(before)
        pieces.append(path)
        plan = cls()
        plan.rule, plan.pieces, plan.names = rule, tuple(pieces), tuple(order)
        plan.converters = tuple(rule._converters[n].to_url for n in order)
        plan.query = tuple((name, quote_plus(name, safe=QUERY_SAFE)) for name in query_names)
        return plan

    def __call__(self, given: dict) -> str | None:
        """The path and query (before the mount path); None to let Flask answer."""
        pieces = self.pieces
        try:
            if len(self.names) == 1:
                path = f"{pieces[0]}{self.converters[0](given[self.names[0]])}{pieces[1]}"
            else:
                path = pieces[0]
                for i, name in enumerate(self.names):
                    path += self.converters[i](given[name]) + pieces[i + 1]
        except ValidationError:  # Werkzeug tries no other rule: BuildError, from Flask
            return None
        if not self.query:
            return path
        params = []
        for name, quoted in self.query:
            value = given[name]
            kind = type(value)
            if kind is str:
                params.append(f"{quoted}={quote_plus(value, safe=QUERY_SAFE)}")
            elif kind is int:  # digits and "-": nothing to quote
                params.append(f"{quoted}={value}")
            else:  # lists (one pair per item), booleans, anything else: Werkzeug's own encoder
                params = None
                break
        if params is None:
            query = self.rule._encode_query_vars({name: given[name] for name, _ in self.query})
        else:
            query = "&".join(params)
        return f"{path}?{query}" if query else path


def install(app: Flask) -> None:
    """Route `flask.url_for` (through `current_app.url_for`) and the templates' `url_for` through
    a UrlBuilder; after the blueprints are registered (nothing is cached before the first call)."""
    builder = UrlBuilder(app)
    app.url_for = builder  # type: ignore[method-assign]
    app.jinja_env.globals["url_for"] = builder
