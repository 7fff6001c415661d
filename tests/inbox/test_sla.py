"""Business-hours arithmetic (weekends, holidays, time zones, DST) and the
timer a conversation shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.inbox.sla import (
    DAY_NAMES,
    BusinessHoursError,
    add_business_seconds,
    business_seconds_between,
    duration_text,
    parse_business_hours,
    timer_state,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = parse_business_hours(
    {
        "timezone": "Europe/Berlin",
        "days": {d: [["09:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-12-25"],
    }
)
H = 3600


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"days": {"mon": [["09:00", "17:00"]]}}, "timezone is required"),
        ({"timezone": "Mars/Olympus", "days": {"mon": [["09:00", "17:00"]]}}, "unknown timezone"),
        ({"timezone": "UTC", "days": {"monday": [["09:00", "17:00"]]}}, "unknown day 'monday'"),
        ({"timezone": "UTC", "days": {"mon": [["9am", "17:00"]]}}, "'9am' is not a time"),
        ({"timezone": "UTC", "days": {"mon": [["17:00", "09:00"]]}}, "ends before it starts"),
        ({"timezone": "UTC", "days": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "overlap"),
        ({"timezone": "UTC", "days": {"mon": [["24:00", "24:00"]]}}, "cannot start at 24:00"),
        ({"timezone": "UTC", "days": {"mon": [["09:00", "24:30"]]}}, "is not a time"),
        ({"timezone": "UTC", "days": {}}, "at least one day"),
        ({"timezone": "UTC", "days": {"mon": []}}, "at least one day"),
        ({"timezone": "UTC", "days": {"mon": [["09:00"]]}}, "not a [start, end] pair"),
        ({"timezone": "UTC", "days": {"mon": [["09:00", "10:00"]]}, "holidays": ["xmas"]}, "xmas"),
        ({"timezone": "UTC", "days": {"mon": [["09:00", "10:00"]]}, "hours": 1}, "unknown key"),
    ],
)
def test_invalid_business_hours_say_what_is_wrong(value: dict, message: str) -> None:
    with pytest.raises(BusinessHoursError, match=message.replace("[", r"\[")):
        parse_business_hours(value)


def test_business_hours_round_trip_normalised() -> None:
    hours = parse_business_hours(
        {"timezone": "Europe/Berlin", "days": {"tue": [["13:00", "24:00"], ["08:00", "12:00"]]}}
    )
    assert hours is not None
    assert hours.to_json() == {
        "timezone": "Europe/Berlin",
        "days": {"tue": [["08:00", "12:00"], ["13:00", "24:00"]]},
        "holidays": [],
    }
    assert parse_business_hours(hours.to_json()) == hours
    assert parse_business_hours(None) is None


# --- arithmetic ----------------------------------------------------------------


def test_around_the_clock_is_plain_time() -> None:
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert add_business_seconds(start, 5 * H, None) == start + timedelta(hours=5)
    assert business_seconds_between(start, start + timedelta(days=2), None) == 48 * H


def test_inside_one_working_day() -> None:
    start = berlin(2026, 6, 3, 10, 0)  # a Wednesday
    assert add_business_seconds(start, 2 * H, OFFICE) == berlin(2026, 6, 3, 12, 0)
    assert business_seconds_between(start, berlin(2026, 6, 3, 12, 0), OFFICE) == 2 * H


def test_friday_evening_rolls_over_the_weekend() -> None:
    friday = berlin(2026, 6, 5, 16, 30)
    # one hour left on Friday, three more from Monday 09:00
    assert add_business_seconds(friday, 4 * H, OFFICE) == berlin(2026, 6, 8, 12, 0)
    assert business_seconds_between(friday, berlin(2026, 6, 8, 12, 0), OFFICE) == 4 * H
    # a post that arrives on Saturday waits for Monday
    saturday = berlin(2026, 6, 6, 11, 0)
    assert add_business_seconds(saturday, 30 * 60, OFFICE) == berlin(2026, 6, 8, 9, 30)
    assert business_seconds_between(saturday, berlin(2026, 6, 7, 23, 0), OFFICE) == 0


def test_holidays_are_closed() -> None:
    christmas_eve = berlin(2026, 12, 24, 17, 0)  # Thursday; the 25th is a holiday
    assert add_business_seconds(christmas_eve, H, OFFICE) == berlin(2026, 12, 28, 9, 30)
    assert business_seconds_between(berlin(2026, 12, 25, 0, 0), berlin(2026, 12, 26), OFFICE) == 0


def test_before_opening_starts_at_opening() -> None:
    early = berlin(2026, 6, 3, 6, 0)
    assert add_business_seconds(early, 60, OFFICE) == berlin(2026, 6, 3, 9, 1)
    assert business_seconds_between(early, berlin(2026, 6, 3, 9, 1), OFFICE) == 60


def test_a_full_working_week() -> None:
    monday = berlin(2026, 6, 1, 0, 0)
    assert business_seconds_between(monday, monday + timedelta(days=7), OFFICE) == 5 * 8.5 * H


def test_split_days_and_the_lunch_break() -> None:
    hours = parse_business_hours(
        {"timezone": "UTC", "days": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}}
    )
    start = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    assert add_business_seconds(start, 2 * H, hours) == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def test_hours_are_read_in_the_teams_zone() -> None:
    ny = parse_business_hours(
        {"timezone": "America/New_York", "days": {"mon": [["09:00", "17:00"]]}}
    )
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 08:00 in New York (EDT)
    assert add_business_seconds(start, H, ny) == datetime(2026, 6, 1, 10, 0, tzinfo=NEW_YORK)


def test_spring_forward_day_is_23_hours_long() -> None:
    sundays = parse_business_hours(
        {"timezone": "Europe/Berlin", "days": {"sun": [["00:00", "24:00"]]}}
    )
    day = berlin(2026, 3, 29, 0, 0)  # clocks go 02:00 -> 03:00
    assert business_seconds_between(day, berlin(2026, 3, 30, 0, 0), sundays) == 23 * H
    # 3 real hours after midnight is 04:00 local that day
    assert add_business_seconds(day, 3 * H, sundays) == berlin(2026, 3, 29, 4, 0)


def test_fall_back_day_is_25_hours_long() -> None:
    sundays = parse_business_hours(
        {"timezone": "Europe/Berlin", "days": {"sun": [["00:00", "24:00"]]}}
    )
    day = berlin(2026, 10, 25, 0, 0)  # clocks go 03:00 -> 02:00
    assert business_seconds_between(day, berlin(2026, 10, 26, 0, 0), sundays) == 25 * H


def test_hours_inside_the_dst_gap_do_not_run_backwards() -> None:
    gap = parse_business_hours(
        {"timezone": "Europe/Berlin", "days": {"sun": [["01:30", "02:30"], ["02:30", "04:00"]]}}
    )
    day = berlin(2026, 3, 29, 0, 0)
    # 01:30-02:00 exists (30m), 02:00-03:00 does not, 03:00-04:00 is an hour
    assert business_seconds_between(day, day + timedelta(days=1), gap) == 90 * 60
    assert add_business_seconds(day, 45 * 60, gap) == berlin(2026, 3, 29, 3, 15)


def test_us_dst_on_a_working_day() -> None:
    ny = parse_business_hours(
        {"timezone": "America/New_York", "days": {"sun": [["00:00", "06:00"]]}}
    )
    day = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)  # 02:00 -> 03:00
    assert business_seconds_between(day, day + timedelta(days=1), ny) == 5 * H


def test_no_negative_or_reversed_spans() -> None:
    a = berlin(2026, 6, 3, 12, 0)
    assert business_seconds_between(a, a - timedelta(hours=1), OFFICE) == 0
    with pytest.raises(ValueError):
        add_business_seconds(a, -1, OFFICE)
    assert add_business_seconds(a, 0, OFFICE) == a


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Santiago",
    "Europe/London",
]


@st.composite
def business_hours(draw: st.DrawFn) -> dict:
    days = {}
    for name in draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True)):
        cuts = sorted(draw(st.lists(st.integers(0, 48), min_size=2, max_size=6, unique=True)))
        spans = [
            [f"{a // 2:02d}:{30 * (a % 2):02d}", f"{b // 2:02d}:{30 * (b % 2):02d}"]
            for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        ]
        days[name] = spans
    holidays = draw(st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=5))
    return {
        "timezone": draw(st.sampled_from(ZONES)),
        "days": days,
        "holidays": [h.isoformat() for h in holidays],
    }


@settings(max_examples=300, deadline=None)
@given(
    raw=business_hours(),
    start=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    seconds=st.integers(0, 30 * 86400),
    more=st.integers(0, 5 * 86400),
)
def test_adding_then_measuring_gives_back_the_seconds(
    raw: dict, start: datetime, seconds: int, more: int
) -> None:
    hours = parse_business_hours(raw)
    end = add_business_seconds(start, seconds, hours)
    assert end >= start
    assert business_seconds_between(start, end, hours) == seconds
    # monotonic, and additive: adding in two steps lands at the same place
    later = add_business_seconds(start, seconds + more, hours)
    assert later >= end
    assert add_business_seconds(end, more, hours) == later


@settings(max_examples=200, deadline=None)
@given(
    raw=business_hours(),
    a=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    gap1=st.timedeltas(timedelta(0), timedelta(days=10)),
    gap2=st.timedeltas(timedelta(0), timedelta(days=10)),
)
def test_measuring_is_additive(raw: dict, a: datetime, gap1: timedelta, gap2: timedelta) -> None:
    hours = parse_business_hours(raw)
    b, c = a + gap1, a + gap1 + gap2
    whole = business_seconds_between(a, c, hours)
    parts = business_seconds_between(a, b, hours) + business_seconds_between(b, c, hours)
    assert whole - parts in (0, 1)  # whole seconds: the two floors may lose one
    assert whole <= (c - a).total_seconds()


# --- the timer -----------------------------------------------------------------

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)


def conversation(**values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "status": "open",
        "opened_at": NOW - timedelta(hours=3),
        "first_response_due_at": None,
        "resolution_due_at": None,
        "first_response_at": None,
        "first_response_seconds": None,
        "resolution_seconds": None,
        "first_response_breached": False,
        "resolution_breached": False,
    }
    row.update(values)
    return row


def test_timer_running_ok_warning_and_breached() -> None:
    ok = timer_state(conversation(first_response_due_at=NOW + timedelta(hours=1, minutes=20)), NOW)
    assert (ok.kind, ok.state, ok.label) == ("first_response", "ok", "first response due in 1h 20m")
    warn = timer_state(conversation(first_response_due_at=NOW + timedelta(minutes=10)), NOW)
    assert warn.state == "warning"
    late = timer_state(conversation(first_response_due_at=NOW - timedelta(minutes=35)), NOW)
    assert (late.state, late.label) == ("breached", "first response breached 35m ago")
    assert late.css == "sla-breached"


def test_timer_after_the_first_response_follows_resolution() -> None:
    row = conversation(
        first_response_at=NOW - timedelta(hours=2),
        first_response_seconds=12 * 60,
        first_response_due_at=NOW - timedelta(hours=1),
        resolution_due_at=NOW + timedelta(days=2),
    )
    view = timer_state(row, NOW)
    assert (view.kind, view.state, view.label) == ("resolution", "ok", "resolution due in 2d")


def test_timer_when_resolved_reports_the_outcome() -> None:
    met = timer_state(conversation(status="resolved", resolution_seconds=12 * 60), NOW)
    assert (met.state, met.label) == ("met", "resolved in 12m")
    late = timer_state(
        conversation(status="resolved", resolution_seconds=30 * H, resolution_breached=True), NOW
    )
    assert (late.state, late.label) == ("breached", "resolved late in 1d 6h")


def test_timer_without_targets_and_naive_sqlite_times() -> None:
    assert timer_state(conversation(), NOW).state == "none"
    naive_due = (NOW + timedelta(hours=2)).replace(tzinfo=None)
    naive_open = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    view = timer_state(conversation(first_response_due_at=naive_due, opened_at=naive_open), NOW)
    assert (view.state, view.label) == ("ok", "first response due in 2h")


def test_duration_text() -> None:
    assert [duration_text(s) for s in (5, 60, 3600, 4800, 86400, 90000)] == [
        "5s",
        "1m",
        "1h",
        "1h 20m",
        "1d",
        "1d 1h",
    ]
