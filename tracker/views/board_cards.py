"""The board's cards as HTML, written in Python (issue 17).

The board draws up to 95 cards, each with its link, company, next step, deadline, people and
Move button: in the template that was about 20 expressions a card, 1,900 a page, a third of
the page's CPU at L (3 of 9 ms). Here each card is one f-string with its text escaped
(markupsafe), the same HTML the template wrote, its spaces between elements where it had them
(a space between inline elements shows); the template keeps the page and the columns.
tests/web/test_board.py reads the cards through the page.
"""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from tracker.services.board import Board, Card
from tracker.views.common import id_url, short_day


def columns_html(board: Board, today: date) -> dict[str, Markup]:
    """{status: its cards' HTML} for every column of `board`; `today` the user's local day."""
    page = id_url("opportunities.show", "opportunity_id")
    photo = None
    out = {}
    for status, column in board.columns.items():
        parts = []
        for card in column.cards:
            if photo is None and any(f.photo for f in card.faces):
                photo = id_url("people.photo", "contact_id")
            parts.append(_card(card, status, page, photo, today))
        out[status] = Markup("".join(parts))
    return out


def _card(o: Card, status: str, page, photo, today: date) -> str:
    title = escape(o.title)
    html = [f'<li class="opp-card" data-opportunity="{o.id}">\n'
            f'<a class="opp-title" href="{page(o.id)}">{title}</a>\n']
    if o.company:
        html.append(f'<span class="muted small">{escape(o.company)}</span>')
    if o.next:
        html.append(f'<span class="next-step"><span class="visually-hidden">Next: </span>{escape(o.next.label)} · '
                    f'{short_day(o.next.on, today)}</span>\n')
    elif o.interviews:
        html.append(f'<span class="small">{o.interviews} interview{"s" if o.interviews != 1 else ""}</span>')
    if o.deadline_due:
        html.append(f'<span class="small">Apply by {short_day(o.deadline_on, today)}</span>')
    if o.faces:
        html.append('\n<span class="faces" role="list" aria-label="People">\n')
        for f in o.faces:
            name = escape(f.name)
            face = (f'<img class="face tiny" src="{photo(f.id)}" alt="" loading="lazy" width="32" height="32">'
                    if f.photo else f'<span class="face face-{f.colour} tiny" aria-hidden="true">{escape(f.initials)}</span>')
            html.append(f'<span role="listitem" title="{name}">{face}<span class="visually-hidden">{name}</span></span>')
        if o.more:
            html.append(f'<span role="listitem" class="small muted">+{o.more}<span class="visually-hidden"> more</span></span>')
        html.append('\n</span>\n')
    html.append(f'\n<button type="submit" form="move-{status}" name="opportunity" value="{o.id}" '
                f'class="secondary small move-button" aria-label="Move {title}">Move</button>\n</li>\n')
    return "".join(html)
