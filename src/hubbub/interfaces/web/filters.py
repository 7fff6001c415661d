"""Reading the stream's filter form from a query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from starlette.datastructures import QueryParams

from hubbub.analytics.stream import SENTIMENTS, StreamFilter
from hubbub.post import utcnow

RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


@dataclass
class StreamForm:
    """The filter form's values as typed, and the filter they mean."""

    query_id: str = ""
    sentiment: str = ""
    language: str = ""
    platform: str = ""
    range: str = ""
    since: str = ""  # YYYY-MM-DD, from the start of that UTC day
    until: str = ""  # YYYY-MM-DD, through the end of that UTC day

    def to_filter(self, now: datetime | None = None) -> StreamFilter:
        since = _day(self.since)
        if self.range in RANGES:
            since = (now or utcnow()) - RANGES[self.range]
        until = _day(self.until)
        return StreamFilter(
            query_id=int(self.query_id) if self.query_id.isdigit() else None,
            sentiment=self.sentiment if self.sentiment in SENTIMENTS else None,
            language=self.language or None,
            platform=self.platform or None,
            since=since,
            until=until + timedelta(days=1) if until else None,
        )

    @property
    def active(self) -> bool:
        return any(
            (
                self.query_id,
                self.sentiment,
                self.language,
                self.platform,
                self.range,
                self.since,
                self.until,
            )
        )


def read_form(params: QueryParams) -> StreamForm:
    return StreamForm(
        query_id=params.get("query_id", "").strip(),
        sentiment=params.get("sentiment", "").strip(),
        language=params.get("language", "").strip()[:16],
        platform=params.get("platform", "").strip()[:40],
        range=params.get("range", "").strip(),
        since=params.get("since", "").strip() if _day(params.get("since", "")) else "",
        until=params.get("until", "").strip() if _day(params.get("until", "")) else "",
    )


def _day(value: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time.min, UTC)
    except ValueError:
        return None


def before_id(params: QueryParams) -> int | None:
    value = params.get("before_id", "")
    return int(value) if value.isdigit() else None
