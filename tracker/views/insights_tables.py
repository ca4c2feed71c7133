"""The Insights page's data tables: one shape for the HTML table behind each chart, its links to
the rows behind each figure, and its CSV download."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote_plus

from flask import g, url_for

from tracker.domain.insights import STAGES, Stage
from tracker.domain.insights_network import STATE_LABELS, STATES
from tracker.domain.insights_replies import POSITION_LABELS, ReplyGroup
from tracker.models.contacts import ROLES
from tracker.models.opportunities import SOURCES
from tracker.models.touchpoints import CHANNELS
from tracker.services.insights import Insights

# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection"):
# such text gets a leading apostrophe, which they show as text. Numbers stay numbers.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    value: str | int | float | None
    href: str | None = None
    display: str | None = None  # how the page shows it, when not str(value)

    @property
    def text(self) -> str:
        if self.display is not None:
            return self.display
        return "" if self.value is None else str(self.value)


@dataclass
class Table:
    name: str
    title: str
    headers: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)


def csv_safe(value: str | int | float | None) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_safe(c.value) for c in row])
    return out.getvalue()


def percent(value: float | None) -> Cell:
    return Cell(None if value is None else round(value * 100), display="–" if value is None else f"{value:.0%}")


def days(value: float | None, over: int) -> Cell:
    if value is None:
        return Cell(None, display="–")
    return Cell(value, display=f"{value:g} ({over})")


def day_label(week: date) -> str:
    return f"{week.day} {week:%b %Y}"


def _rows_url(period: str, figure: str, **args) -> str:
    # One url_for per request, then plain query strings: a page has thousands of these links,
    # and werkzeug's builder is most of their cost.
    # Most values need no quoting (days, keys, ids): they go in as they are, the same text
    # urlencode gives; anything else is quoted as urlencode would.
    base = g.get("insights_rows_url") or g.setdefault("insights_rows_url", url_for("insights.rows"))
    query = "".join(f"&{k}={_quoted(v)}" for k, v in args.items() if v is not None)
    return f"{base}?period={_quoted(period)}&figure={_quoted(figure)}{query}"


_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*\Z")


def _quoted(value) -> str:
    text = str(value)
    return text if _PLAIN.match(text) else quote_plus(text)


def _stage_rows(stages: Sequence[Stage], period: str, **args) -> list[list[Cell]]:
    return [[Cell(s.label), Cell(s.count, _rows_url(period, "funnel", stage=s.key, **args)),
             percent(s.conversion), days(s.median_days, s.timed)] for s in stages]


def funnel_tables(ins: Insights) -> list[Table]:
    p = ins.period.key
    out = [Table("funnel", "Applications and how far they went",
                 ["Stage", "Opportunities", "Went on from the stage before (%)", "Median days in the stage (how many)"],
                 _stage_rows(ins.funnel.stages, p))]
    by_source = Table("funnel-by-source", "By source", ["Source", *(s.label for s in ins.funnel.stages), "Offer rate (%)"])
    for source, stages in ins.funnel.by_source.items():
        rate = stages[-1].count / stages[0].count if stages[0].count else None
        by_source.rows.append([Cell(SOURCES.get(source, source))]
                              + [Cell(s.count, _rows_url(p, "funnel", stage=s.key, source=source)) for s in stages]
                              + [percent(rate)])
    out.append(by_source)
    if ins.funnel.by_referral is not None:
        by_referral = Table("funnel-by-referral", "Referred or not",
                            ["Referral", *(label for label in (ins.funnel.stages[k].label for k in range(len(STAGES))))])
        for key, stages in ins.funnel.by_referral.items():
            by_referral.rows.append([Cell("With a referral" if key == "referred" else "Without")]
                                    + [Cell(s.count, _rows_url(p, "funnel", stage=s.key, referral=key)) for s in stages])
        out.append(by_referral)
    return out


def network_tables(ins: Insights) -> list[Table]:
    p, n = ins.period.key, ins.network
    added = Table("contacts-added", "Contacts added per week", ["Week of", "Contacts added"],
                  [[Cell(day_label(w.week)), Cell(w.count, _rows_url(p, "added", week=w.week.isoformat()))]
                   for w in n.added])
    touches = Table("touchpoints", "Touchpoints per week", ["Week of", "Touchpoints"],
                    [[Cell(day_label(w.week)), Cell(w.count, _rows_url(p, "touchpoints", week=w.week.isoformat()))]
                     for w in n.touchpoints])
    states = Table("in-touch", "In touch and losing touch at each week's end",
                   ["Week ending", *(STATE_LABELS[s] for s in STATES)],
                   [[Cell(day_label(point.day))]
                    + [Cell(point.counts[s], _rows_url(p, "states", day=point.day.isoformat(), state=s)) for s in STATES]
                    for point in n.states])
    leads = Table("led-to-interviews", "People behind opportunities that reached an interview",
                  ["Contact", "Opportunities that reached an interview"],
                  [[Cell(lead.name, url_for("contacts.show", contact_id=lead.contact_id)),
                    Cell(len(lead.opportunity_ids), _rows_url(p, "leads", contact=lead.contact_id))]
                   for lead in n.leads])
    return [added, touches, states, leads]


REPLY_HEADERS = ["Sent", "Replied", "Reply rate (%)", "Median days to a reply"]
# How each split of the replies names its groups.
REPLY_GROUPS = {"position": ("replies-by-message", "By message", "Message", POSITION_LABELS),
                "channel": ("replies-by-channel", "By channel", "Channel", CHANNELS),
                "role": ("replies-by-role", "By role", "Role", ROLES),
                "tag": ("replies-by-tag", "By tag", "Tag", None)}


def _reply_row(label: str, g: ReplyGroup, period: str, group: str, key: str) -> list[Cell]:
    median = g.median_days
    return [Cell(label), Cell(len(g.sent), _rows_url(period, "replies", group=group, key=key)),
            Cell(len(g.replied), _rows_url(period, "replies", group=group, key=key, answered=1)), percent(g.rate),
            Cell(None if median is None else round(median, 1), display="–" if median is None else f"{median:.1f}")]


def reply_tables(ins: Insights) -> list[Table]:
    p, r = ins.period.key, ins.replies
    out = []
    for group, groups in (("position", r.by_position), ("channel", r.by_channel), ("role", r.by_role), ("tag", r.by_tag)):
        name, title, first, labels = REPLY_GROUPS[group]
        table = Table(name, f"Replies {title[0].lower()}{title[1:]}", [first, *REPLY_HEADERS])
        table.rows = [_reply_row(labels.get(k, k) if labels else k, g, p, group, k) for k, g in groups.items()]
        out.append(table)
    out[0].rows.append(_reply_row("All outreach", r.total, p, "all", "all"))
    return out


def lesson_tables(ins: Insights) -> list[Table]:
    p, lessons = ins.period.key, ins.lessons
    improve = Table("to-improve", "What the reflections say under “to improve”", ["Word", "Reflections that say it"],
                    [[Cell(k.word), Cell(k.count, _rows_url(p, "lessons", of="improve", word=k.word))]
                     for k in lessons.keywords])
    said = Table("feedback-words", "What the feedback received says", ["Word", "Feedback that says it"],
                 [[Cell(k.word), Cell(k.count, _rows_url(p, "lessons", of="feedback", word=k.word))]
                  for k in lessons.feedback_keywords])
    feedback = Table("feedback", "Feedback received", ["Day", "From", "Feedback"],
                     [[Cell(i.feedback_on.isoformat() if i.feedback_on else "", display=day_label(i.feedback_on)
                            if i.feedback_on else "–"),
                       Cell(i.feedback_from), Cell(i.feedback, url_for("interviews.show", interview_id=i.id))]
                      for i in lessons.feedback])
    return [improve, said, feedback]


def all_tables(ins: Insights) -> dict[str, Table]:
    return {t.name: t for t in funnel_tables(ins) + network_tables(ins) + reply_tables(ins) + lesson_tables(ins)}
