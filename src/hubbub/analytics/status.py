"""The workspace at a glance: `hubbub status`, the API's /status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hubbub.analytics.counts import totals
from hubbub.analytics.sources import DEFAULT_FAILING_AFTER, list_sources


def workspace_status(engine: Engine, failing_after: int = DEFAULT_FAILING_AFTER) -> dict[str, Any]:
    """Counts, and every source flattened to one row with its health
    (datetimes as ISO 8601 text, so the rows are JSON as they are)."""
    with engine.connect() as conn:
        counts = totals(conn)
        found = list_sources(conn, failing_after)
    flat = [
        {
            "id": s["id"],
            "name": s["name"],
            "kind": s["kind"],
            "enabled": s["enabled"],
            **{
                k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s["health"].items()
            },
        }
        for s in found
    ]
    return {**counts, "sources_count": counts["sources"], "sources": flat}
