"""The workspace at a glance: `hubbub status`, the API's /status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hubbub.analytics.counts import totals
from hubbub.analytics.sources import list_sources


def workspace_status(engine: Engine) -> dict[str, Any]:
    """Counts, and every source flattened to one row with its health."""
    with engine.connect() as conn:
        counts = totals(conn)
        found = list_sources(conn)
    flat = [
        {
            "id": s["id"],
            "name": s["name"],
            "kind": s["kind"],
            **{
                k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s["health"].items()
            },
        }
        for s in found
    ]
    return {**counts, "sources_count": counts["sources"], "sources": flat}
