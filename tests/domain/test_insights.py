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
    n = net.network(contacts, touches, [], [], p, DEFAULT_CADENCE_DAYS, LA)
    assert n.weeks[0] == date(2026, 10, 26) and n.weeks[-1] == date(2026, 11, 30) and len(n.weeks) == 6
    assert [w.count for w in n.added] == [0, 3, 0, 0, 0, 0]
    assert sorted(n.added[1].ids) == [1, 2, 3]
    assert [w.count for w in n.touchpoints] == [0, 1, 0, 0, 0, 1]
    assert n.touchpoints[1].ids == [100]


def test_empty_network():
    n = net.network([], [], [], [], d.period("all", TODAY), DEFAULT_CADENCE_DAYS, UTC)
    assert (n.weeks, n.added, n.touchpoints, n.states, n.leads) == ([], [], [], [], [])
    n = net.network([], [], [], [], d.period("30", TODAY), DEFAULT_CADENCE_DAYS, UTC)
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
