"""Read the forms of a page the way a browser submits them (HTML Living Standard, "constructing
the entry list"), with the standard library's HTML parser.

What a browser does and this reproduces: a textarea drops one newline right after its start
tag and submits its line breaks as CRLF; a checkbox or radio is sent only when checked (value
"on" by default); a single select with nothing selected sends its first option; a multiple
select sends every selected option; disabled controls and controls without a name are not
sent; a control with form="id" belongs to that form wherever it stands; of the submit buttons,
only the one used is sent (pressing Enter uses the first).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    tag: str
    attrs: dict[str, str | None]
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)
    text: str = ""  # textarea content, option text while parsing

    @property
    def name(self) -> str | None:
        return self.attrs.get("name")

    @property
    def type(self) -> str:
        if self.tag == "input":
            return (self.attrs.get("type") or "text").lower()
        if self.tag == "button":
            return (self.attrs.get("type") or "submit").lower()
        return self.tag


@dataclass
class HtmlForm:
    attrs: dict[str, str | None]
    controls: list[Control] = field(default_factory=list)

    @property
    def method(self) -> str:
        return (self.attrs.get("method") or "get").lower()

    @property
    def action(self) -> str | None:
        return self.attrs.get("action")

    def submit_buttons(self) -> list[Control]:
        return [c for c in self.controls if c.type in ("submit", "image") and c.tag in ("input", "button")]

    def entries(self, submitter: Control | None = None) -> list[tuple[str, str]]:
        """The (name, value) pairs the browser sends, `submitter` being the button used
        (default: the first submit button, as pressing Enter does)."""
        if submitter is None:
            buttons = self.submit_buttons()
            submitter = buttons[0] if buttons else None
        out: list[tuple[str, str]] = []
        for c in self.controls:
            if not c.name or "disabled" in c.attrs:
                continue
            kind = c.type
            if kind in ("submit", "image", "reset", "button"):
                if c is submitter and kind == "submit":
                    out.append((c.name, c.attrs.get("value") or ""))
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in c.attrs:
                    out.append((c.name, c.attrs.get("value") or "on"))
            elif kind == "file":
                continue
            elif c.tag == "select":
                chosen = [v for v, selected in c.options if selected]
                if "multiple" in c.attrs:
                    out.extend((c.name, v) for v in chosen)
                elif chosen:
                    out.append((c.name, chosen[-1]))  # a single select shows its last selected option
                elif c.options:
                    out.append((c.name, c.options[0][0]))
            elif c.tag == "textarea":
                out.append((c.name, c.text.replace("\r\n", "\n").replace("\n", "\r\n")))
            else:
                # Value sanitisation: text-like inputs lose line breaks.
                out.append((c.name, (c.attrs.get("value") or "").replace("\r", "").replace("\n", "")))
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.by_id: dict[str, HtmlForm] = {}
        self.pending: list[tuple[str, Control]] = []  # form="id" controls seen before their form
        self.form: HtmlForm | None = None
        self.select: Control | None = None
        self.option: tuple[dict, list[str]] | None = None
        self.textarea: Control | None = None
        self.textarea_started = False

    def _attach(self, control: Control) -> None:
        owner = control.attrs.get("form")
        if owner:
            if owner in self.by_id:
                self.by_id[owner].controls.append(control)
            else:
                self.pending.append((owner, control))
        elif self.form is not None:
            self.form.controls.append(control)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = HtmlForm(attrs)
            self.forms.append(self.form)
            if attrs.get("id"):
                self.by_id[attrs["id"]] = self.form
        elif tag in ("input", "button"):
            self._attach(Control(tag, attrs))
        elif tag == "select":
            self.select = Control(tag, attrs)
            self._attach(self.select)
        elif tag == "option" and self.select is not None:
            self._close_option()
            self.option = (attrs, [])
        elif tag == "textarea":
            self.textarea = Control(tag, attrs)
            self.textarea_started = True
            self._attach(self.textarea)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _close_option(self):
        if self.option is not None and self.select is not None:
            attrs, text = self.option
            value = attrs["value"] if attrs.get("value") is not None else " ".join("".join(text).split())
            self.select.options.append((value, "selected" in attrs))
        self.option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.select = None
        elif tag == "textarea":
            self.textarea = None
            self.textarea_started = False

    def handle_data(self, data):
        if self.textarea is not None:
            if self.textarea_started:
                # The newline right after <textarea> is not part of its value.
                data = data[2:] if data.startswith("\r\n") else data[1:] if data.startswith("\n") else data
                self.textarea_started = False
            self.textarea.text += data
        elif self.option is not None:
            self.option[1].append(data)


def parse_forms(html: str) -> list[HtmlForm]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    for owner, control in parser.pending:
        if owner in parser.by_id:
            parser.by_id[owner].controls.append(control)
    return parser.forms
