"""Service levels, the pure part: business hours, business-time arithmetic and
the timer a conversation shows.

Business hours (``teams.business_hours``)::

    {"timezone": "Europe/Berlin",
     "days": {"mon": [["09:00", "17:30"]], "tue": [["09:00", "12:00"], ["13:00", "17:30"]]},
     "holidays": ["2026-12-25"]}

``None`` means around the clock. A day not listed is closed; "24:00" ends a
day. Business time is *real elapsed time inside open hours*: an open interval
is turned into two instants through the team's time zone, so a 00:00-24:00
day lasts 23 hours when clocks spring forward and 25 when they fall back. A
wall-clock time that does not exist (inside the spring-forward gap) stands for
the moment the clock jumps; an ambiguous one (fall-back) for its first
occurrence. That mapping never runs backwards, so open intervals never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("low", "normal", "high", "urgent")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_ONE_SECOND = timedelta(seconds=1)
# add_business_seconds gives up (ValueError) after this many days without
# finding enough open time: a calendar that is (almost) never open
_MAX_DAYS = 366 * 20


class BusinessHoursError(ValueError):
    """Business hours that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class BusinessHours:
    timezone: ZoneInfo
    # weekday (0 = Monday) -> sorted, non-overlapping (start, end) local times;
    # end is None for "24:00", the end of the day
    days: Mapping[int, tuple[tuple[time, time | None], ...]]
    holidays: frozenset[date]

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone.key,
            "days": {
                DAY_NAMES[d]: [[_hhmm(s), "24:00" if e is None else _hhmm(e)] for s, e in spans]
                for d, spans in sorted(self.days.items())
            },
            "holidays": sorted(h.isoformat() for h in self.holidays),
        }


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_business_hours(value: Mapping[str, Any] | None) -> BusinessHours | None:
    """Validate the JSON form; ``None`` (around the clock) passes through.
    Raises BusinessHoursError naming the first problem."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise BusinessHoursError("business hours must be an object with timezone and days")
    unknown = set(value) - {"timezone", "days", "holidays"}
    if unknown:
        raise BusinessHoursError(f"unknown key(s) {', '.join(sorted(unknown))}")
    tz_name = value.get("timezone")
    if not isinstance(tz_name, str) or not tz_name:
        raise BusinessHoursError('timezone is required, e.g. "Europe/Berlin"')
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise BusinessHoursError(f"unknown timezone {tz_name!r}") from err
    raw_days = value.get("days")
    if not isinstance(raw_days, Mapping):
        raise BusinessHoursError('days must map day names ("mon".."sun") to [start, end] pairs')
    days: dict[int, tuple[tuple[time, time | None], ...]] = {}
    for name, spans in raw_days.items():
        if name not in DAY_NAMES:
            raise BusinessHoursError(f"unknown day {name!r}: use {', '.join(DAY_NAMES)}")
        parsed = _parse_spans(name, spans)
        if parsed:
            days[DAY_NAMES.index(name)] = parsed
    if not days:
        raise BusinessHoursError("at least one day needs open hours (or use no business hours)")
    holidays: set[date] = set()
    raw_holidays = value.get("holidays") or []
    if not isinstance(raw_holidays, list):
        raise BusinessHoursError('holidays must be a list of dates like "2026-12-25"')
    for h in raw_holidays:
        try:
            holidays.add(date.fromisoformat(str(h)))
        except ValueError as err:
            raise BusinessHoursError(f"holiday {h!r} is not a date like 2026-12-25") from err
    return BusinessHours(tz, days, frozenset(holidays))


def _parse_spans(day: str, spans: Any) -> tuple[tuple[time, time | None], ...]:
    if not isinstance(spans, list):
        raise BusinessHoursError(f"{day}: a list of [start, end] pairs like [['09:00', '17:30']]")
    out: list[tuple[int, int]] = []
    for span in spans:
        if not isinstance(span, list | tuple) or len(span) != 2:
            raise BusinessHoursError(f"{day}: {span!r} is not a [start, end] pair")
        start, end = (_minutes(day, s) for s in span)
        if start >= 24 * 60:
            raise BusinessHoursError(f"{day}: a span cannot start at 24:00")
        if end <= start:
            raise BusinessHoursError(f"{day}: {span[0]}-{span[1]} ends before it starts")
        out.append((start, end))
    out.sort()
    for (_, end), (start, _) in pairwise(out):
        if start < end:
            raise BusinessHoursError(f"{day}: spans overlap")
    return tuple(
        (time(s // 60, s % 60), None if e == 24 * 60 else time(e // 60, e % 60)) for s, e in out
    )


def _minutes(day: str, text: Any) -> int:
    m = _HHMM.match(str(text))
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise BusinessHoursError(f"{day}: {text!r} is not a time like 09:00 (00:00-24:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


# --- local wall-clock time -> instant ----------------------------------------


def _instant(naive: datetime, tz: ZoneInfo) -> datetime:
    """The earliest instant whose local time is at or after ``naive``: the
    first occurrence of an ambiguous time, the jump for one in a DST gap."""
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists (first occurrence when ambiguous)
    # In a gap: fold=1 reads it with the later offset (an instant before the
    # jump), fold=0 with the earlier one (after it). Bisect, in whole seconds
    # (zone transitions fall on them), to the jump.
    lo = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    hi = int(first.timestamp())
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _open_spans(day: date, hours: BusinessHours) -> list[tuple[datetime, datetime]]:
    """The day's open intervals as UTC instants (none on holidays)."""
    if day in hours.holidays:
        return []
    out = []
    for start, end in hours.days.get(day.weekday(), ()):
        a = _instant(datetime.combine(day, start), hours.timezone)
        end_naive = (
            datetime.combine(day + timedelta(days=1), time())
            if end is None
            else datetime.combine(day, end)
        )
        b = _instant(end_naive, hours.timezone)
        if b > a:
            out.append((a, b))
    return out


def as_utc(value: datetime) -> datetime:
    # SQLite hands back naive UTC values
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def add_business_seconds(start: datetime, seconds: int, hours: BusinessHours | None) -> datetime:
    """The instant ``seconds`` of open time after ``start`` (UTC)."""
    start = as_utc(start)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if hours is None or seconds == 0:
        return start + timedelta(seconds=seconds)
    remaining = timedelta(seconds=seconds)
    # a day earlier: a fall-back at midnight puts instants of that date after
    # the next day began
    day = start.astimezone(hours.timezone).date() - timedelta(days=1)
    for _ in range(_MAX_DAYS):
        for a, b in _open_spans(day, hours):
            if b <= start:
                continue
            begin = max(a, start)
            if remaining <= b - begin:
                return begin + remaining
            remaining -= b - begin
        day += timedelta(days=1)
    raise ValueError("business hours leave (almost) no open time")


def business_seconds_between(a: datetime, b: datetime, hours: BusinessHours | None) -> int:
    """Whole seconds of open time in [a, b); 0 when b is not after a."""
    a, b = as_utc(a), as_utc(b)
    if b <= a:
        return 0
    if hours is None:
        return (b - a) // _ONE_SECOND
    total = timedelta()
    day = a.astimezone(hours.timezone).date() - timedelta(days=1)
    last = b.astimezone(hours.timezone).date() + timedelta(days=1)
    while day <= last:
        for s, e in _open_spans(day, hours):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total // _ONE_SECOND


# --- the timer on a conversation ---------------------------------------------

# a running timer turns "warning" in the last quarter of its window (and never
# later than 15 minutes before it is due)
WARNING_FRACTION = 0.25
WARNING_FLOOR = timedelta(minutes=15)


@dataclass(frozen=True)
class TimerView:
    kind: str  # first_response | resolution | none
    state: str  # ok | warning | breached | met | none
    label: str  # "first response due in 1h 20m", "resolution breached 35m ago", ...
    due_at: datetime | None = None

    @property
    def css(self) -> str:
        return f"sla-{self.state}"


def duration_text(seconds: float) -> str:
    """Compact: 45s, 12m, 1h 20m, 2d 3h."""
    s = int(abs(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h}h {m}m" if m else f"{h}h"
    d, h = divmod(s // 3600, 24)
    return f"{d}d {h}h" if h else f"{d}d"


def _field(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    mapping = getattr(row, "_mapping", None)
    if mapping is not None:
        return mapping.get(name)
    return getattr(row, name, None)


def timer_state(conversation: Any, now: datetime) -> TimerView:
    """The timer that matters now: first response until there is one, then
    resolution; once resolved, how the resolution went. ``conversation`` is a
    row or mapping with the conversations columns."""
    now = as_utc(now)
    opened = _field(conversation, "opened_at")
    fr_at = _field(conversation, "first_response_at")
    status = _field(conversation, "status")
    if fr_at is None and status != "resolved":
        return _running(
            "first response",
            "first_response",
            _field(conversation, "first_response_due_at"),
            opened,
            bool(_field(conversation, "first_response_breached")),
            now,
        )
    if status == "resolved":
        secs = _field(conversation, "resolution_seconds")
        breached = bool(_field(conversation, "resolution_breached"))
        due = _field(conversation, "resolution_due_at")
        if secs is None:
            return TimerView("resolution", "met", "resolved", due)
        state = "breached" if breached else "met"
        word = "resolved late" if breached else "resolved"
        return TimerView("resolution", state, f"{word} in {duration_text(secs)}", due)
    due = _field(conversation, "resolution_due_at")
    if due is None and _field(conversation, "first_response_seconds") is not None:
        secs = _field(conversation, "first_response_seconds")
        late = bool(_field(conversation, "first_response_breached"))
        return TimerView(
            "first_response",
            "breached" if late else "met",
            f"first response {'late, ' if late else ''}in {duration_text(secs)}",
        )
    return _running(
        "resolution",
        "resolution",
        due,
        opened,
        bool(_field(conversation, "resolution_breached")),
        now,
    )


def _running(
    what: str,
    kind: str,
    due: datetime | None,
    opened: datetime | None,
    breached: bool,
    now: datetime,
) -> TimerView:
    if due is None:
        return TimerView("none", "none", "no target")
    due = as_utc(due)
    left = due - now
    if left <= timedelta():
        ago = duration_text(-left.total_seconds())
        return TimerView(kind, "breached", f"{what} breached {ago} ago", due)
    if breached:  # marked earlier; a later change of priority moved the due time
        return TimerView(kind, "breached", f"{what} breached", due)
    window = due - as_utc(opened) if opened is not None else left
    warn_at = max(window * WARNING_FRACTION, WARNING_FLOOR)
    state = "warning" if left <= warn_at else "ok"
    return TimerView(kind, state, f"{what} due in {duration_text(left.total_seconds())}", due)


# --- text forms (the settings page, the CLI) ---------------------------------

_DURATION_UNITS = {"m": 1, "h": 60, "d": 24 * 60}


def parse_target_minutes(text: str | None) -> int | None:
    """A target as typed: "90", "90m", "4h", "2d"; blank or "none" for no target."""
    value = (text or "").strip().lower().replace(" ", "")
    if value in ("", "none", "-", "—"):
        return None
    unit = value[-1] if value[-1] in _DURATION_UNITS else "m"
    number = value[:-1] if value[-1] in _DURATION_UNITS else value
    if not number.isdigit() or int(number) == 0:
        raise ValueError(f"{text!r} is not a duration like 30m, 4h or 2d")
    return int(number) * _DURATION_UNITS[unit]


def target_text(minutes: int | None) -> str:
    """The inverse of parse_target_minutes, in the largest whole unit."""
    if minutes is None:
        return ""
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def spans_from_text(day: str, text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-17:30" -> [["09:00", "12:00"], ["13:00", "17:30"]];
    blank: closed. Validated by parse_business_hours."""
    spans = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        bounds = [b.strip() for b in part.replace("–", "-").split("-")]
        if len(bounds) != 2:
            raise BusinessHoursError(f"{day}: {part!r} is not a span like 09:00-17:30")
        spans.append(bounds)
    return spans


def spans_text(spans: list[list[str]] | None) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans or [])
