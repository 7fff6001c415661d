"""Terminal rendering of a query preview: count, per-day bars, highlighted
sample and explanation trees.

Post text is untrusted: it goes into ``rich.text.Text`` objects (never parsed
as markup) after control characters are replaced one for one, so the match
offsets still line up and nothing can drive the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from hubbub.analytics.query_preview import Preview, SamplePost
from hubbub.listening.explain import Clause, render_lines
from hubbub.listening.matcher import Hit

SPARKS = "▁▂▃▄▅▆▇█"
MAX_TEXT = 400  # sample posts are cut here (after the first highlight, if later)
BAR_WIDTH = 40
MAX_DAY_ROWS = 31
HIT_STYLE = "bold black on yellow"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe_text(text: str | None) -> str:
    """Control characters (newlines too) become spaces, one for one."""
    return _CONTROL.sub(" ", text or "")


def highlighted(text: str | None, hits: Sequence[Hit], part: str) -> Text:
    """``text`` as a Rich Text with each hit in ``part`` styled; cut to MAX_TEXT."""
    clean = safe_text(text)
    spans = sorted((h.start, h.end) for h in hits if h.part == part)
    first = spans[0][0] if spans else 0
    start = max(0, first - MAX_TEXT // 2) if first > MAX_TEXT - 40 else 0
    end = min(len(clean), start + MAX_TEXT)
    out = Text("…" if start else "")
    pos = start
    for a, b in spans:
        if a < pos or b > end or b <= a:
            continue
        out.append(clean[pos:a])
        out.append(clean[a:b], style=HIT_STYLE)
        pos = b
    out.append(clean[pos:end])
    if end < len(clean):
        out.append("…")
    return out


def sparkline(counts: Sequence[int]) -> str:
    top = max(counts, default=0)
    if top == 0:
        return SPARKS[0] * len(counts)
    return "".join(SPARKS[min(7, (n * 7 + top - 1) // top)] if n else " " for n in counts)


def print_preview(console: Console, query: str, result: Preview) -> None:
    window = (
        f"since {result.since.strftime('%Y-%m-%d %H:%M UTC')}" if result.since else "in all history"
    )
    plus = "+" if result.capped else ""
    noun = "post matches" if result.count == 1 and not result.capped else "posts match"
    console.print(
        Text.assemble(
            ("Valid query. ", "green"),
            (f"{result.count:,}{plus}", "bold"),
            f" stored {noun} {window}: ",
            (safe_text(query), "cyan"),
        )
    )
    if result.capped:
        console.print(f"[yellow]Counting stopped at {result.count:,} matches.[/yellow]")
    _print_days(console, result.per_day)
    if result.sample:
        console.print(f"\nNewest {len(result.sample)}, matched words highlighted:")
        for item in result.sample:
            _print_sample(console, item)


def _print_days(console: Console, per_day: list[tuple[str, int]]) -> None:
    if not per_day:
        return
    counts = [n for _, n in per_day]
    peak = max(counts)
    console.print(
        f"Per day (UTC) {per_day[0][0]} → {per_day[-1][0]}: "
        f"[bold]{escape(sparkline(counts))}[/bold]  peak {peak:,}"
    )
    if len(per_day) > MAX_DAY_ROWS or peak == 0:
        return
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column("day", style="dim")
    table.add_column("bar")
    table.add_column("count", justify="right")
    for day, n in per_day:
        bar = "█" * (n * BAR_WIDTH // peak) if n else ""
        table.add_row(day, Text(bar or "·", style="blue" if n else "dim"), f"{n:,}")
    console.print(table)


def _print_sample(console: Console, item: SamplePost) -> None:
    p = item.post
    when = p.created_at.strftime("%Y-%m-%d %H:%M") if p.created_at else "?"
    head = Text.assemble(
        (f"#{p.id} ", "bold"),
        (safe_text(p.platform), "magenta"),
        " ",
        (f"@{safe_text(p.author_handle)}" if p.author_handle else "", "cyan"),
        f" {when}",
    )
    console.print(head)
    if p.title:
        console.print(Text("  ").append(highlighted(p.title, item.hits, "title")), style="bold")
    console.print(Text("  ").append(highlighted(p.text, item.hits, "text")))


def print_explanation(console: Console, item: SamplePost, tree: Clause) -> None:
    """Why the post does or does not match: the post, then the clause tree."""
    verdict = ("matches", "bold green") if tree.matched else ("does not match", "bold red")
    console.print(Text.assemble("\nWhy: post ", verdict, ""))
    _print_sample(console, item)
    for depth, clause in render_lines(tree):
        mark = ("✓ ", "green") if clause.matched else ("✗ ", "red")
        console.print(
            Text.assemble(
                "  " * (depth + 1),
                mark,
                (safe_text(clause.text), "bold" if depth == 0 else ""),
                (f" — {safe_text(clause.detail)}", "dim"),
            )
        )
