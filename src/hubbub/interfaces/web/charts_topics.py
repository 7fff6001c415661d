"""A horizontal bar chart for categories (topic sizes), in the style of
``charts.py``: inline SVG with <title>/<desc> and a data table, every text
escaped (labels come from post text)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import count

from markupsafe import Markup

WIDTH = 1000
ROW, GAP, LABEL_W, VALUE_W = 24, 8, 330, 70
_MAX_LABEL = 48
_ids = count(1)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def hbars(title: str, rows: Sequence[tuple[str, int]], color: str = "#2457c5") -> Markup:
    """One bar per (label, value), in the given order."""
    uid = next(_ids)
    top = max((v for _, v in rows), default=0) or 1
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = max(ROW, len(rows) * (ROW + GAP))
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = i * (ROW + GAP)
        w = max(1.0, plot_w * value / top)
        body.append(
            f'<text class="tick" x="{LABEL_W - 8}" y="{y + ROW * 0.7:.1f}" text-anchor="end">'
            f"{escape(_clip(label))}</text>"
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{ROW}" '
            f'fill="{escape(color)}"><title>{escape(label)}: {value}</title></rect>'
            f'<text class="tick" x="{LABEL_W + w + 6:.1f}" y="{y + ROW * 0.7:.1f}">{value}</text>'
        )
    desc = "; ".join(f"{label}: {value}" for label, value in rows) or "No data."
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="hbar-t{uid} hbar-d{uid}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="hbar-t{uid}">{escape(title)}</title>'
        f'<desc id="hbar-d{uid}">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )
    table_rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{value}</td></tr>' for label, value in rows
    )
    table = (
        f'<details class="chart-data"><summary>Data table</summary><table>'
        f'<caption>{escape(title)}</caption><thead><tr><th scope="col">Topic</th>'
        f'<th scope="col">Posts</th></tr></thead><tbody>{table_rows}</tbody></table></details>'
    )
    return Markup(
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>{svg}{table}</figure>'
    )
