"""Dashboard: totals, volume per query and sentiment over time, as inline SVG."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hubbub.analytics.counts import totals
from hubbub.analytics.sources import UNHEALTHY_STATES, list_sources
from hubbub.analytics.volume import (
    SENTIMENT_LABELS,
    sentiment_over_time,
    sentiment_totals,
    volume,
    volume_by_query,
)
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.charts import (
    SENTIMENT_COLORS,
    Series,
    category_style,
    lines,
    stacked_bars,
)
from hubbub.interfaces.web.render import page

router = APIRouter()
WINDOWS = {"7": 7, "14": 14, "30": 30, "90": 90}


@router.get(
    "/dashboard",
    response_class=HTMLResponse,
    name="dashboard",
    dependencies=[web_requires("analytics.view")],
)
def dashboard(request: Request) -> HTMLResponse:
    days = WINDOWS.get(request.query_params.get("days", "14"), 14)
    bucket: Literal["day", "hour"] = "day"
    with request.app.state.engine.connect() as conn:
        counts = totals(conn)
        everything = volume(conn, days=days, bucket=bucket)
        per_query = volume_by_query(conn, days=days, bucket=bucket)
        sentiment = sentiment_over_time(conn, days=days, bucket=bucket)
        mood = sentiment_totals(conn)
        sources = list_sources(conn, request.app.state.settings.source_failing_after)
    labels = [p["bucket"] for p in everything]
    volume_series = [Series("All posts", [p["count"] for p in everything], "#94a3b8")]
    volume_series += [
        Series(q["name"], [p["count"] for p in q["points"]], *category_style(i))
        for i, q in enumerate(per_query)
    ]
    sentiment_series = [
        Series(label.capitalize(), [row[label] for row in sentiment], SENTIMENT_COLORS[label])
        for label in ("negative", "neutral", "positive")
    ]
    # posts in languages the model does not rate: shown, so the bars add up to the volume
    if any(row["unknown"] for row in sentiment):
        sentiment_series.append(
            Series(
                "Not rated",
                [row["unknown"] for row in sentiment],
                SENTIMENT_COLORS["unknown"],
                hatched=True,
            )
        )
    unhealthy = [s for s in sources if s["health"]["state"] in UNHEALTHY_STATES]
    return page(
        request,
        "dashboard.html",
        {
            "nav": "dashboard",
            "days": days,
            "windows": list(WINDOWS),
            "totals": counts,
            "window_posts": sum(p["count"] for p in everything),
            "mood": mood,
            "sentiment_labels": SENTIMENT_LABELS,
            "per_query": [
                {
                    "id": q["query_id"],
                    "name": q["name"],
                    "total": sum(p["count"] for p in q["points"]),
                }
                for q in per_query
            ],
            "unhealthy": unhealthy,
            "volume_chart": lines(f"Mentions per day, last {days} days", labels, volume_series),
            "sentiment_chart": stacked_bars(
                f"Sentiment per day, last {days} days", labels, sentiment_series
            ),
        },
    )
