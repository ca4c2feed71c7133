"""What is working (issue 16): replies to your outreach, and what interview reflections say.
Pure, like tracker.domain.insights.

Replies, per contact, in the order things happened (day, then time when known, then the order
they were logged):

- *outreach* is a written message from you (e-mail, LinkedIn message, other);
- a *reply* is anything from them, or a conversation (call, video call, meeting, event, in
  person) whoever started it: it is two-way by nature (the cadence's channel rule);
- thank-you notes and LinkedIn connections are neither (nobody answers a thank-you note);
- an outreach is *answered* when the next of these with that person is a reply, i.e. they
  answered before you wrote again. Its *position* is its place in the run of messages since
  their last reply: 1 is the first message, 2 the first follow-up, 3 the second, and so on.
- time to a reply: from the outreach to the reply, in days (to the minute when both times are
  known, else whole days).

A touchpoint with two people is two outreaches (each person answers or not). The period picks
the outreach sent in it; a reply may come on any later day up to today.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import date, datetime, tzinfo

from tracker.domain.insights import InterviewRow, Period, local_day, median, ratio
from tracker.domain.insights_network import TouchRow

CONVERSATION = frozenset({"call", "video_call", "meeting", "event", "in_person"})
NEITHER = frozenset({"thank_you", "linkedin_connection"})
POSITIONS = ("1", "2", "3+")
POSITION_LABELS = {"1": "First message", "2": "First follow-up", "3+": "Second follow-up or later"}


class Outreach(NamedTuple):
    """One message to one person. services.insights computes the same rows in SQL (window
    functions); `outreaches` below is the definition, and a test holds the two equal. A named
    tuple: an account has tens of thousands, made in one go (a frozen dataclass costs several
    times as much to build)."""

    touchpoint_id: int
    contact_id: int
    channel: str
    position: int
    on: date  # the local day it was sent
    reply_id: int | None  # the touchpoint that answered it
    days: float | None  # to the reply


@dataclass
class ReplyGroup:
    key: str
    sent: list[int] = field(default_factory=list)  # outreach touchpoint ids (one per person written to)
    replied: list[int] = field(default_factory=list)
    days: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return ratio(len(self.replied), len(self.sent))

    @property
    def median_days(self) -> float | None:
        return median(self.days)


@dataclass(frozen=True)
class Replies:
    total: ReplyGroup
    by_position: Mapping[str, ReplyGroup]
    by_channel: Mapping[str, ReplyGroup]
    by_role: Mapping[str, ReplyGroup]
    by_tag: Mapping[str, ReplyGroup]


def _order(t: TouchRow) -> tuple:
    # The timeline's order (tracker.domain.timeline): within a day the timed touches by their
    # instant, then the untimed ones ("sometime that day") in the order they were logged.
    return (t.on, t.at is None, t.at.timestamp() if t.at is not None else 0.0, t.touchpoint_id)


def outreaches(touches: Iterable[TouchRow]) -> list[Outreach]:
    """Every outreach with its position in its run and the reply that answered it, if any."""
    by_contact: dict[int, list[TouchRow]] = {}
    for t in touches:
        if t.channel not in NEITHER:
            by_contact.setdefault(t.contact_id, []).append(t)
    out: list[Outreach] = []
    for contact_id, rows in by_contact.items():
        rows.sort(key=_order)
        run = 0
        pending: TouchRow | None = None
        pending_position = 0
        for t in rows:
            if t.inbound or t.channel in CONVERSATION:
                if pending is not None:
                    out.append(Outreach(pending.touchpoint_id, contact_id, pending.channel, pending_position,
                                        pending.on, t.touchpoint_id, reply_days(pending.on, pending.at, t.on, t.at)))
                    pending = None
                run = 0
                continue
            if pending is not None:  # written to again before any answer
                out.append(Outreach(pending.touchpoint_id, contact_id, pending.channel, pending_position, pending.on,
                                    None, None))
            run += 1
            pending, pending_position = t, run
        if pending is not None:
            out.append(Outreach(pending.touchpoint_id, contact_id, pending.channel, pending_position, pending.on,
                                None, None))
    return out


def reply_days(sent_on: date, sent_at: datetime | None, reply_on: date, reply_at: datetime | None) -> float:
    """Days from a message to its reply: to the minute when both times are known, else whole days."""
    if sent_at is not None and reply_at is not None:
        return max((reply_at - sent_at).total_seconds(), 0) / 86400
    return float((reply_on - sent_on).days)


def position_key(position: int) -> str:
    return str(position) if position < 3 else "3+"


def replies(sent: Iterable[Outreach], within: Period, roles: Mapping[int, str],
            tags: Mapping[int, Sequence[str]]) -> Replies:
    """Reply rates and times of the outreach sent within the period (see the module docstring)."""
    total = ReplyGroup("all")
    by_position = {k: ReplyGroup(k) for k in POSITIONS}
    by_channel: dict[str, ReplyGroup] = {}
    by_role: dict[str, ReplyGroup] = {}
    by_tag: dict[str, ReplyGroup] = {}

    def group(groups: dict[str, ReplyGroup], key: str) -> ReplyGroup:
        found = groups.get(key)
        if found is None:
            found = groups[key] = ReplyGroup(key)
        return found

    no_tags: Sequence[str] = ()
    positions = tuple(by_position[k] for k in POSITIONS)  # position 1, 2, 3 or more
    people: dict[int, list[ReplyGroup]] = {}  # a person's role and tag groups, looked up once
    for o in sent:
        if o.on not in within:
            continue
        theirs = people.get(o.contact_id)
        if theirs is None:
            theirs = people[o.contact_id] = [group(by_role, roles.get(o.contact_id, "other"))] + \
                [group(by_tag, tag) for tag in tags.get(o.contact_id, no_tags)]
        groups = [total, positions[min(o.position, 3) - 1], group(by_channel, o.channel), *theirs]
        tid = o.touchpoint_id
        for g in groups:
            g.sent.append(tid)
        if o.reply_id is not None:
            for g in groups:
                g.replied.append(tid)
                g.days.append(o.days)

    def largest(groups: dict[str, ReplyGroup]) -> dict[str, ReplyGroup]:
        return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1].sent), kv[0])))

    return Replies(total, by_position, largest(by_channel), largest(by_role), largest(by_tag))


# --- Interview lessons -------------------------------------------------------------------

# Words that say nothing about what to improve (English; a short list of our own rather than a
# language-processing dependency for one list of words).
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing done down during each else even ever few for
from further get got had has have having he her here hers him his how however i if in into is it its
itself just let like lot lots made make many maybe me more most much must my myself need needed next
no nor not now of off on once one only or other our ours out over own really same say said see she
should so some still such than that the their theirs them then there these they thing things think
this those though through time to too try under until up us very want was way we well were what when
where which while who whom why will with would yes yet you your yours
""".split())
WORD = re.compile(r"#?[^\W\d_][\w'’-]*[^\W_]|#?[^\W\d_]", re.UNICODE)
TOP_WORDS = 15


@dataclass(frozen=True)
class Keyword:
    word: str  # "#tag" for a tag the user wrote, else the lower-cased word
    interview_ids: tuple[int, ...]  # the reflections that say it (each counts once)

    @property
    def count(self) -> int:
        return len(self.interview_ids)


@dataclass(frozen=True)
class Lessons:
    reflections: int  # interviews in the period with something under "to improve"
    keywords: tuple[Keyword, ...]
    feedback: tuple[InterviewRow, ...]  # feedback received in the period, newest first
    feedback_keywords: tuple[Keyword, ...]


def words(text: str) -> set[str]:
    """The distinct words of `text` worth counting: lower case, no stop words, at least 3 letters
    (a #tag is kept whatever its length)."""
    out = set()
    for w in WORD.findall(text.casefold()):
        w = w.replace("’", "'")
        if w.startswith("#"):
            if len(w) > 1:
                out.add(w)
        elif len(w) >= 3 and w not in STOP_WORDS and w.split("'")[0] not in STOP_WORDS:
            out.add(w)
    return out


def keywords(texts: Iterable[tuple[int, str]], top: int = TOP_WORDS) -> tuple[Keyword, ...]:
    """The words said in most of the (id, text) items, most first (ties: alphabetical)."""
    seen: dict[str, list[int]] = {}
    for item_id, text in texts:
        for w in words(text):
            seen.setdefault(w, []).append(item_id)
    counts = Counter({w: len(ids) for w, ids in seen.items()})
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return tuple(Keyword(w, tuple(sorted(seen[w]))) for w, _ in ranked)


def lessons(interviews: Sequence[InterviewRow], within: Period, tz: tzinfo) -> Lessons:
    """What the reflections of the period's interviews say under "to improve", and the feedback
    received in the period (on its feedback day, else the interview's day)."""
    reflected = [(i.id, i.to_improve) for i in interviews
                 if i.to_improve.strip() and local_day(i.starts_at, tz) in within]
    feedback = [i for i in interviews if i.feedback.strip()
                and (i.feedback_on or local_day(i.starts_at, tz)) in within]
    feedback.sort(key=lambda i: (i.feedback_on or local_day(i.starts_at, tz), i.id), reverse=True)
    return Lessons(len(reflected), keywords(reflected), tuple(feedback),
                   keywords((i.id, i.feedback) for i in feedback))
