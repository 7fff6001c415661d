"""Inline SVG charts rendered on the server: no JavaScript, no CDN.

Each chart is a ``<figure>`` with an SVG (role="img", <title>, <desc>) and a
<details> data table carrying the same numbers for screen readers and
copy-paste. All text that reaches the markup goes through ``escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count

from markupsafe import Markup

WIDTH, HEIGHT = 1000, 230
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28

_ids = count(1)


@dataclass
class Series:
    name: str
    values: Sequence[int]
    color: str  # a CSS colour or var(); also drawn in the legend
    dash: str | None = None  # SVG stroke-dasharray for lines(), e.g. "7 4"
    hatched: bool = False  # stacked_bars(): diagonal stripes of the colour, not a solid fill


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``."""
    if value <= 4:
        return max(value, 1) if value > 0 else 4
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _short(label: str) -> str:
    # '2026-11-20' -> '11-20', '2026-11-20T13' -> '20 13h'
    if "T" in label:
        day, hour = label.split("T", 1)
        return f"{day[8:10]} {hour}h"
    return label[5:] if len(label) == 10 else label


def _axes(ymax: int, labels: Sequence[str], plot_w: float) -> list[str]:
    parts: list[str] = []
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    for i in range(5):
        value = ymax * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value:g}</text>"
        )
    n = len(labels)
    every = max(1, -(-n // 8))  # at most ~8 x labels
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + plot_w * (i + 0.5) / max(n, 1)
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
            f"{escape(_short(label))}</text>"
        )
    return parts


def _swatch(s: Series) -> str:
    color = escape(s.color)
    if s.hatched:
        return (
            '<span class="swatch" style="background:repeating-linear-gradient('
            f'45deg,{color} 0 2px,#fff 2px 5px);outline:1px solid {color}"></span>'
        )
    if not s.dash:
        return f'<span class="swatch" style="background:{color}"></span>'
    on, _, off = s.dash.partition(" ")
    gap = float(on) + float(off or on)
    return (
        '<span class="swatch swatch-dashed" style="background:repeating-linear-gradient('
        f'90deg,{color} 0 {float(on):g}px,transparent {float(on):g}px {gap:g}px)"></span>'
    )


def _legend(series: Sequence[Series]) -> str:
    items = "".join(f"<li>{_swatch(s)}{escape(s.name)}</li>" for s in series)
    return f'<ul class="legend" aria-hidden="true">{items}</ul>'


def _table(caption: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{s.values[i]}</td>" for s in series)
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f'<details class="chart-data"><summary>Data table</summary>'
        f'<table><caption>{escape(caption)}</caption><thead><tr><th scope="col">Period</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _hatch(uid: str, color: str) -> str:
    return (
        f'<defs><pattern id="{uid}" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/>'
        f'<rect width="2" height="5" fill="{escape(color)}"/></pattern></defs>'
    )


def _svg(title: str, desc: str, body: Sequence[str]) -> str:
    uid = next(_ids)
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="chart-t{uid}">{escape(title)}</title>'
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _describe(labels: Sequence[str], series: Sequence[Series]) -> str:
    if not labels:
        return "No data."
    totals = ", ".join(f"{s.name}: {sum(s.values)}" for s in series)
    return f"From {labels[0]} to {labels[-1]}. Totals: {totals}."


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One bar per label, segments stacked bottom-up in ``series`` order."""
    n = len(labels)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    stack_totals = [sum(s.values[i] for s in series) for i in range(n)]
    ymax = _nice_max(max(stack_totals, default=0))
    body = _axes(ymax, labels, plot_w)
    slot = plot_w / max(n, 1)
    bar_w = max(1.0, slot * 0.7)
    fills: dict[int, str] = {}
    for k, s in enumerate(series):
        fills[k] = escape(s.color)
        if s.hatched:
            pattern = f"hatch{next(_ids)}"
            body.append(_hatch(pattern, s.color))
            fills[k] = f"url(#{pattern})"
    for i, label in enumerate(labels):
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        base = 0
        for k, s in enumerate(series):
            v = s.values[i]
            if v <= 0:
                continue
            y = PAD_TOP + plot_h - plot_h * (base + v) / ymax
            h = plot_h * v / ymax
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{fills[k]}">'
                f"<title>{escape(label)} · {escape(s.name)}: {v}</title></rect>"
            )
            base += v
    svg = _svg(title, _describe(labels, series), body)
    return Markup(
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>'
        f"{_legend(series)}{svg}{_table(title, labels, series)}</figure>"
    )


def lines(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One polyline per series, with a dot per point."""
    n = len(labels)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    ymax = _nice_max(max((max(s.values, default=0) for s in series), default=0))
    body = _axes(ymax, labels, plot_w)
    for s in series:
        points = [
            (PAD_LEFT + plot_w * (i + 0.5) / max(n, 1), PAD_TOP + plot_h - plot_h * v / ymax)
            for i, v in enumerate(s.values)
        ]
        if not points:
            continue
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        color = escape(s.color)
        dash = f' stroke-dasharray="{escape(s.dash)}"' if s.dash else ""
        body.append(
            f'<path class="line" d="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}>'
            f"<title>{escape(s.name)}</title></path>"
        )
        # a dashed line's dots are hollow: a second cue beside the dashes
        dot = f'fill="#fff" stroke="{color}" stroke-width="1.5"' if s.dash else f'fill="{color}"'
        for (x, y), label, v in zip(points, labels, s.values, strict=True):
            body.append(
                f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5" {dot}>'
                f"<title>{escape(label)} · {escape(s.name)}: {v}</title></circle>"
            )
    svg = _svg(title, _describe(labels, series), body)
    return Markup(
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>'
        f"{_legend(series)}{svg}{_table(title, labels, series)}</figure>"
    )


# Categorical palette with enough contrast on white (each ≥ 3:1 for graphics).
PALETTE = ("#2457c5", "#c2410c", "#047857", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#be185d")
# After every colour has been used once, lines are told apart by their dashes.
DASHES: tuple[str | None, ...] = (None, "7 4", "2 3")
SENTIMENT_COLORS = {
    "positive": "#15803d",
    "neutral": "#64748b",
    "negative": "#b91c1c",
    "unknown": "#64748b",  # not rated: drawn hatched, so it reads as "no mood", not neutral
}


def category_style(i: int) -> tuple[str, str | None]:
    """Colour and dash of the i-th line: 24 distinct styles before any repeats."""
    return PALETTE[i % len(PALETTE)], DASHES[(i // len(PALETTE)) % len(DASHES)]
