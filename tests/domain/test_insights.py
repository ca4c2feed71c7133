"""The Insights metrics (tracker.domain.insights*) on small accounts computed by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.domain import insights as d
from tracker.domain import insights_network as net
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS

UTC = timezone.utc
LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 11, 30)  # a Monday


def at(day: date, hour: int = 12, minute: int = 0, tz=UTC) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def opp(i, status, created, source="other", applied_on=None):
    return d.OpportunityRow(i, source, status, at(created), applied_on)


def move(i, status, day, **kw):
    return d.StatusRow(i, status, at(day, **kw))


# --- periods --------------------------------------------------------------------------

@pytest.mark.parametrize("key, start", [("30", date(2026, 11, 1)), ("90", date(2026, 9, 2)), ("all", None),
                                        ("bogus", date(2026, 9, 2))], ids=["30 days", "90 days", "all", "default"])
def test_a_period_ends_today_and_counts_today_as_its_last_day(key, start):
    p = d.period(key, TODAY)
    assert (p.start, p.end) == (start, TODAY)
    assert TODAY in p and TODAY + timedelta(days=1) not in p
    if start:
        assert start in p and start - timedelta(days=1) not in p
        assert (p.end - p.start).days + 1 == int(p.key)


# --- the funnel ------------------------------------------------------------------------

def account():
    """Five opportunities, all applied for in November, with this history:

    1 referral:  applied 2 Nov -> screening 5 Nov -> interviewing 12 Nov -> rejected 20 Nov
    2 referral:  applied 3 Nov -> offer 23 Nov (nothing in between recorded)
    3 job board: applied 4 Nov, a phone screen on 9 Nov, still applied
    4 job board: created as rejected on 10 Nov, no other history (rejected: it was applied for)
    5 recruiter: interested 1 Nov -> withdrawn 6 Nov (never applied: not in the funnel)
    6 job board: applied_on 1 Oct typed, status applied since 1 Oct (outside 30 days)
    """
    opps = [opp(1, "rejected", date(2026, 11, 1), "referral"), opp(2, "offer", date(2026, 11, 3), "referral"),
            opp(3, "applied", date(2026, 11, 4), "job_board"), opp(4, "rejected", date(2026, 11, 10), "job_board"),
            opp(5, "withdrawn", date(2026, 11, 1), "recruiter"),
            opp(6, "applied", date(2026, 10, 1), "job_board", applied_on=date(2026, 10, 1))]
    changes = [move(1, "interested", date(2026, 11, 1)), move(1, "applied", date(2026, 11, 2)),
               move(1, "screening", date(2026, 11, 5)), move(1, "interviewing", date(2026, 11, 12)),
               move(1, "rejected", date(2026, 11, 20)),
               move(2, "applied", date(2026, 11, 3)), move(2, "offer", date(2026, 11, 23)),
               move(3, "applied", date(2026, 11, 4)),
               move(5, "interested", date(2026, 11, 1)), move(5, "withdrawn", date(2026, 11, 6)),
               move(6, "applied", date(2026, 10, 1))]
    interviews = [d.InterviewRow(10, 3, at(date(2026, 11, 9)), "phone_screen"),
                  d.InterviewRow(11, 1, at(date(2026, 11, 13)), "technical")]
    return d.journeys(opps, changes, interviews, UTC)


def test_funnel_counts_every_stage_an_opportunity_passed_through_even_if_rejected_since():
    f = d.funnel(account(), d.period("30", TODAY))
    assert [(s.key, s.ids) for s in f.stages] == [
        ("applied", (1, 2, 3, 4)), ("screening", (1, 2, 3)), ("interview", (1, 2)), ("offer", (2,))]
    assert [s.conversion for s in f.stages] == [None, 3 / 4, 2 / 3, 1 / 2]


def test_time_in_each_stage_is_the_median_of_those_that_left_it():
    f = d.funnel(account(), d.period("30", TODAY))
    # applied: 1 left on 5 Nov (3 days), 2 on 23 Nov (20; offer implies the rest the same day),
    #          3 on 9 Nov (5, the phone screen), 4 rejected the day it was added (0) -> median 4
    # screening: 1: 5 -> 12 Nov (7), 2: 0, 3 is still screening -> median 3.5
    # interview: 1: 12 -> 20 Nov rejected (8), 2: 0 -> 4; offer: 2 is still at the offer
    assert [(s.median_days, s.timed) for s in f.stages] == [(4, 4), (3.5, 2), (4, 2), (None, 0)]


def test_funnel_by_source():
    f = d.funnel(account(), d.period("30", TODAY))
    assert list(f.by_source) == ["job_board", "referral"]  # the larger first; recruiter never applied
    assert [s.count for s in f.by_source["referral"]] == [2, 2, 2, 1]
    assert [s.count for s in f.by_source["job_board"]] == [2, 1, 0, 0]
    assert d.funnel(account(), d.period("30", TODAY)).by_referral is None  # referrals unknown: no split


def test_all_time_takes_the_older_application_in():
    f = d.funnel(account(), d.period("all", TODAY))
    assert f.stages[0].ids == (1, 2, 3, 4, 6)


def test_an_empty_period_has_zero_everywhere_and_no_rates():
    f = d.funnel(account(), d.Period("x", "x", date(2025, 1, 1), date(2025, 1, 31)))
    assert [(s.count, s.conversion, s.median_days) for s in f.stages] == [
        (0, None, None), (0, None, None), (0, None, None), (0, None, None)]
    assert f.by_source == {}
    empty = d.funnel([], d.period("all", TODAY))
    assert empty.total == 0


def test_an_application_at_2330_local_on_the_last_day_is_inside_the_period():
    # 23:30 on 30 Nov in Los Angeles is 07:30 UTC on 1 Dec; 23:30 on 31 Oct (the day before
    # the 30-day period) is 06:30 UTC on 1 Nov, which a UTC reading would have taken in.
    late = d.OpportunityRow(1, "other", "applied", at(TODAY, 23, 30, LA))
    early = d.OpportunityRow(2, "other", "applied", at(date(2026, 10, 31), 23, 30, LA))
    changes = [d.StatusRow(1, "applied", at(TODAY, 23, 30, LA)), d.StatusRow(2, "applied", at(date(2026, 10, 31), 23, 30, LA))]
    journeys = d.journeys([late, early], changes, [], LA)
    assert d.funnel(journeys, d.period("30", TODAY)).stages[0].ids == (1,)
    utc_reading = d.journeys([late, early], changes, [], UTC)
    assert d.funnel(utc_reading, d.period("30", TODAY)).stages[0].ids == (2,)


def test_referral_split_when_referrals_are_known():
    opps = [d.OpportunityRow(1, "other", "interviewing", at(date(2026, 11, 2)), referred=True),
            d.OpportunityRow(2, "other", "applied", at(date(2026, 11, 2)))]
    f = d.funnel(d.journeys(opps, [], [], UTC), d.period("30", TODAY), referrals_known=True)
    assert [s.count for s in f.by_referral["referred"]] == [1, 1, 1, 0]
    assert [s.count for s in f.by_referral["not_referred"]] == [1, 0, 0, 0]


# --- the network ------------------------------------------------------------------------

def contact(i, added, role="recruiter", **kw):
    return net.ContactRow(i, f"Person {i}", role, at(added), **kw)


def touch(tp, c, day, channel="email", inbound=False):
    return net.TouchRow(tp, c, day, channel, inbound)


def test_contacts_added_and_touchpoints_per_week_in_the_users_zone():
    p = d.period("30", TODAY)  # 1 Nov (a Sunday) .. 30 Nov (a Monday)
    contacts = [contact(1, date(2026, 11, 2)), contact(2, date(2026, 11, 3)),
                # 23:30 on Sunday 8 Nov in Los Angeles: that week, though Monday 9 Nov in UTC
                net.ContactRow(3, "Late", "peer", at(date(2026, 11, 8), 23, 30, LA)),
                contact(4, date(2026, 10, 31))]  # before the period
    touches = [touch(100, 1, date(2026, 11, 2)), touch(100, 2, date(2026, 11, 2)),  # one touchpoint, two people
               touch(101, 1, date(2026, 11, 30)), touch(102, 1, date(2026, 10, 30))]
    days = net.touch_days(touches)
    added = net.added_counts(contacts, LA)
    assert added == [(date(2026, 10, 31), 1), (date(2026, 11, 2), 1), (date(2026, 11, 3), 1), (date(2026, 11, 8), 1)]
    n = net.network(added, net.touch_counts(touches),
                    lambda points: net.state_series(contacts, days, points, DEFAULT_CADENCE_DAYS, LA), [], {}, [], p)
    assert n.weeks[0] == date(2026, 10, 26) and n.weeks[-1] == date(2026, 11, 30) and len(n.weeks) == 6
    assert [w.count for w in n.added] == [0, 3, 0, 0, 0, 0]
    assert [w.count for w in n.touchpoints] == [0, 1, 0, 0, 0, 1]


def test_empty_network():
    series = lambda points: net.state_series([], {}, points, DEFAULT_CADENCE_DAYS, UTC)  # noqa: E731
    n = net.network([], [], series, [], {}, [], d.period("all", TODAY))
    assert (n.weeks, n.added, n.touchpoints, n.states, n.leads) == ([], [], [], [], [])
    n = net.network([], [], series, [], {}, [], d.period("30", TODAY))
    assert len(n.weeks) == 6 and all(w.count == 0 for w in n.added)
    assert all(s.counts == {"in_touch": 0, "overdue": 0, "losing_touch": 0} for s in n.states)


def test_in_touch_overdue_and_losing_touch_at_each_weeks_end():
    """A mentor (30 days: overdue from day 30, losing touch from day 45) added 1 Sep, spoken to
    1 Oct and again 20 Nov; a LinkedIn connection does not count; a peer with "don't remind me"
    is left out; an imported contact counts from its first real touch; an archived one leaves."""
    contacts = [contact(1, date(2026, 9, 1), "mentor"),
                contact(2, date(2026, 9, 1), "peer", no_reminders=True),
                contact(3, date(2026, 9, 1), "mentor", unscheduled=True),
                contact(4, date(2026, 9, 1), "mentor", archived_at=at(date(2026, 10, 20)))]
    touches = [touch(1, 1, date(2026, 10, 1), "call"), touch(2, 1, date(2026, 10, 25), "linkedin_connection"),
               touch(3, 1, date(2026, 11, 20)), touch(4, 2, date(2026, 10, 1)), touch(5, 3, date(2026, 11, 1))]
    days = net.touch_days(touches)
    points = [date(2026, 9, 30), date(2026, 10, 30), date(2026, 11, 8), date(2026, 11, 16), date(2026, 11, 22)]
    series = net.state_series(contacts, days, points, DEFAULT_CADENCE_DAYS, UTC)
    # 30 Sep: 1 and 4 in touch (29 days since added); 3 not yet scheduled.
    # 30 Oct: 1 in touch (29 days since 1 Oct), 3 not yet, 4 archived on 20 Oct.
    # 8 Nov: 1 overdue (38 days), 3 in touch (since 1 Nov).
    # 16 Nov: 1 losing touch (46 days), 3 in touch.  22 Nov: 1 in touch again (20 Nov), 3 in touch.
    assert [tuple(s.counts.values()) for s in series] == [(2, 0, 0), (1, 0, 0), (1, 1, 0), (1, 0, 1), (2, 0, 0)]
    assert net.states_on(contacts, days, date(2026, 11, 16), DEFAULT_CADENCE_DAYS, UTC) == {
        "in_touch": [3], "overdue": [], "losing_touch": [1]}


def test_the_contacts_own_interval_and_the_users_role_defaults_decide():
    contacts = [contact(1, date(2026, 11, 1), "mentor", cadence_days=7), contact(2, date(2026, 11, 1), "recruiter")]
    points = [date(2026, 11, 9), date(2026, 11, 16)]
    # 1: a week -> overdue on day 7..13 (max: 7 + 7), losing from day 14.  2: the user's
    # recruiter default of 10 days -> overdue on day 10..16 (max 17), so overdue on the 16th.
    series = net.state_series(contacts, {}, points, {**DEFAULT_CADENCE_DAYS, "recruiter": 10}, UTC)
    assert [tuple(s.counts.values()) for s in series] == [(1, 1, 0), (0, 1, 1)]


def test_who_led_to_interviews():
    links = [net.LinkRow(1, 10, "referrer"), net.LinkRow(2, 10, "referrer"), net.LinkRow(2, 11, "recruiter"),
             net.LinkRow(3, 12, "recruiter")]
    leads = net.leads({10: "Bo", 11: "Al", 12: "Cy"}, links, interviewed=[1, 2])
    assert [(x.name, x.opportunity_ids) for x in leads] == [("Bo", (1, 2)), ("Al", (2,))]
    assert net.leads({}, links, []) == []


def test_all_time_weeks_are_bounded():
    p = d.period("all", TODAY)
    starts = d.weeks(p, date(2010, 1, 1))
    assert len(starts) == d.MAX_WEEKS and starts[-1] == date(2026, 11, 30)


# --- replies ----------------------------------------------------------------------------

from tracker.domain import insights_replies as talk  # noqa: E402


def replies_account():
    """Contact 1 (recruiter, #python), 2 (mentor), 3 (peer); N = 2 Nov and so on (2026).

    1: email 2 Nov (tp1), email 4 Nov (tp2), their email 5 Nov (tp3: answers tp2 after 1 day,
       tp1 was followed by tp2 first); LinkedIn message 10 Nov (tp4), thank-you note 10 Nov
       (neither), my call 12 Nov (tp6: a conversation answers tp4 after 2 days); email 20 Nov (tp7).
    2: email 3 Nov 09:00 UTC (tp8), their email 15:00 (tp9: 0.25 days); emails 25, 26, 27 Nov
       (tp10-12, unanswered: first message, first follow-up, second follow-up).
    3: email 15 Oct (tp13), their email 3 Nov (tp14: 19 days; sent before the 30 days).
    """
    t = lambda tp, c, day, channel="email", inbound=False, at=None: net.TouchRow(  # noqa: E731
        tp, c, date(2026, *day), channel, inbound, at)
    return [t(1, 1, (11, 2)), t(2, 1, (11, 4)), t(3, 1, (11, 5), inbound=True),
            t(4, 1, (11, 10), "linkedin_message"), t(5, 1, (11, 10), "thank_you"), t(6, 1, (11, 12), "call"),
            t(7, 1, (11, 20)),
            t(9, 2, (11, 3), inbound=True, at=datetime(2026, 11, 3, 15, tzinfo=UTC)),
            t(8, 2, (11, 3), at=datetime(2026, 11, 3, 9, tzinfo=UTC)),
            t(10, 2, (11, 25)), t(11, 2, (11, 26)), t(12, 2, (11, 27)),
            t(13, 3, (10, 15)), t(14, 3, (11, 3), inbound=True)]


ROLES = {1: "recruiter", 2: "mentor", 3: "peer"}


def test_reply_rate_by_message_in_the_run():
    r = talk.replies(talk.outreaches(replies_account()), d.period("30", TODAY), ROLES, {1: ["python"]})
    assert (sorted(r.total.sent), sorted(r.total.replied)) == ([1, 2, 4, 7, 8, 10, 11, 12], [2, 4, 8])
    assert r.total.median_days == 1
    assert {k: (sorted(g.sent), sorted(g.replied)) for k, g in r.by_position.items()} == {
        "1": ([1, 4, 7, 8, 10], [4, 8]), "2": ([2, 11], [2]), "3+": ([12], [])}
    assert r.by_position["1"].rate == 2 / 5 and r.by_position["3+"].rate == 0 and r.by_position["3+"].median_days is None


def test_replies_by_channel_role_and_tag():
    r = talk.replies(talk.outreaches(replies_account()), d.period("30", TODAY), ROLES, {1: ["python"]})
    assert {k: (len(g.sent), len(g.replied)) for k, g in r.by_channel.items()} == {"email": (7, 2), "linkedin_message": (1, 1)}
    assert list(r.by_channel) == ["email", "linkedin_message"]
    assert {k: (len(g.sent), len(g.replied), g.median_days) for k, g in r.by_role.items()} == {
        "recruiter": (4, 2, 1.5), "mentor": (4, 1, 0.25)}
    assert {k: (len(g.sent), len(g.replied)) for k, g in r.by_tag.items()} == {"python": (4, 2)}


def test_all_time_takes_the_older_outreach_and_its_late_reply():
    r = talk.replies(talk.outreaches(replies_account()), d.period("all", TODAY), ROLES, {})
    assert 13 in r.total.replied and len(r.total.sent) == 9 and r.total.median_days == 1.5  # [0.25, 1, 2, 19]


def test_an_outreach_on_the_periods_last_day_counts_and_an_empty_period_has_no_rate():
    touches = [net.TouchRow(1, 1, TODAY, "email", False), net.TouchRow(2, 1, date(2026, 10, 31), "email", False)]
    r = talk.replies(talk.outreaches(touches), d.period("30", TODAY), {}, {})
    assert r.total.sent == [1] and r.total.rate == 0
    empty = talk.replies(talk.outreaches([]), d.period("30", TODAY), {}, {})
    assert (empty.total.sent, empty.total.rate, empty.total.median_days) == ([], None, None)
    assert all(not g.sent for g in empty.by_position.values()) and empty.by_channel == {} and empty.by_tag == {}


def test_one_message_to_two_people_is_two_outreaches():
    touches = [net.TouchRow(1, 1, date(2026, 11, 2), "email", False), net.TouchRow(1, 2, date(2026, 11, 2), "email", False),
               net.TouchRow(2, 2, date(2026, 11, 4), "email", True)]
    r = talk.replies(talk.outreaches(touches), d.period("30", TODAY), {}, {})
    assert (r.total.sent, r.total.replied, r.total.median_days) == ([1, 1], [1], 2)


# --- interview lessons ------------------------------------------------------------------

def interview(i, day, improve="", feedback="", feedback_on=None, who="", starts=None):
    return d.InterviewRow(i, 1, starts or at(day), "technical", improve, feedback, feedback_on, who)


def test_what_the_reflections_say_most_under_to_improve():
    interviews = [
        interview(1, date(2026, 11, 5), "Prepare system design questions. More practice with SQL!"),
        interview(2, date(2026, 11, 12), "System design again; talk about salary expectations",
                  feedback="Strong on SQL, weak on system design", feedback_on=date(2026, 11, 14), who="Ana"),
        interview(3, date(2026, 11, 20), "#nerves: slow down, #Nerves"),
        interview(4, date(2026, 10, 1), "system design", feedback="Good communication", feedback_on=date(2026, 11, 2)),
        # 23:30 on the period's last day in Los Angeles (07:30 on 1 Dec in UTC): inside.
        interview(5, TODAY, "Whiteboard", starts=at(TODAY, 23, 30, LA)),
        interview(6, date(2026, 11, 6), "   "),
    ]
    lessons = talk.lessons(interviews, d.period("30", TODAY), LA)
    assert lessons.reflections == 4
    assert [(k.word, k.interview_ids) for k in lessons.keywords] == [
        ("design", (1, 2)), ("system", (1, 2)), ("#nerves", (3,)), ("expectations", (2,)), ("practice", (1,)),
        ("prepare", (1,)), ("questions", (1,)), ("salary", (2,)), ("slow", (3,)), ("sql", (1,)), ("talk", (2,)),
        ("whiteboard", (5,))]
    assert [i.id for i in lessons.feedback] == [2, 4]
    assert [k.word for k in lessons.feedback_keywords][:2] == ["communication", "design"]
    assert "whiteboard" not in [k.word for k in talk.lessons(interviews, d.period("30", TODAY), UTC).keywords]


def test_no_reflections_in_an_empty_period():
    lessons = talk.lessons([interview(1, date(2025, 1, 1), "practice")], d.period("30", TODAY), UTC)
    assert (lessons.reflections, lessons.keywords, lessons.feedback) == (0, (), ())


def test_words_leave_out_stop_words_and_keep_tags():
    assert talk.words("I should've asked MORE questions, and the 2 STAR stories… #STAR") == {
        "asked", "questions", "star", "stories", "#star"}
