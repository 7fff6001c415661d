"""The inline SVG charts, rendered on their own."""

from __future__ import annotations

import re

from hubbub.interfaces.web.charts import PALETTE, Series, category_style, lines, stacked_bars


def test_lines_stay_distinct_past_the_palette() -> None:
    styles = [category_style(i) for i in range(3 * len(PALETTE))]
    assert len(set(styles)) == len(styles)
    series = [Series(f"query {i}", [i, i + 1], *category_style(i)) for i in range(11)]
    svg = str(lines("Mentions", ["2026-11-30", "2026-12-01"], series))
    paths = re.findall(r'<path class="line"[^>]*>', svg)
    assert len(paths) == 11
    assert sum("stroke-dasharray" in p for p in paths) == 3  # queries 9-11 reuse colours, dashed
    drawn = {(re.search(r'stroke="([^"]+)"', p).group(1), "dasharray" in p) for p in paths}  # type: ignore[union-attr]
    assert len(drawn) == 11
    # the legend shows the dash too
    assert svg.count("swatch-dashed") == 3


def test_a_hatched_series_fills_with_its_own_pattern() -> None:
    series = [
        Series("Mood", [2, 1], "#123456"),
        Series("Not rated", [1, 0], "#64748b", hatched=True),
    ]
    first = str(stacked_bars("A", ["2026-11-30", "2026-12-01"], series))
    second = str(stacked_bars("B", ["2026-11-30", "2026-12-01"], series))
    ids = [re.search(r'<pattern id="([^"]+)"', svg).group(1) for svg in (first, second)]  # type: ignore[union-attr]
    assert ids[0] != ids[1]  # two charts on one page must not share an id
    assert first.count(f'fill="url(#{ids[0]})"') == 1  # one bar: the zero is not drawn
    assert 'fill="#123456"' in first
