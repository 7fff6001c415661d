"""`hubbub query test` and `hubbub query match` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hubbub.config import Settings, load_settings

from .cli import hubbub


def _when(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


POSTS = [
    {"id": "k1", "text": "My Acme kettle is great", "created_at": _when(0.1), "author": "ann"},
    {
        "id": "k2",
        "text": "[bold red]Acme kettle[/bold red] \x1b[31m! broke on day two",
        "created_at": _when(0.2),
        "url": "https://forum.example/k2",
    },
    {"id": "k3", "text": "Acme kettle arrived", "created_at": _when(3)},
    {"id": "k4", "text": "Acme kettle, years ago", "created_at": _when(100)},
    {"id": "k5", "text": "Globex toaster", "created_at": _when(1)},
]


def test_query_test_shows_count_days_sample_and_why(settings: Settings, tmp_path: Path) -> None:
    hubbub(settings, "import", str(_write(tmp_path / "posts.jsonl", POSTS)))

    shown = hubbub(settings, "query", "test", "acme kettle", "--since", "1w", "--limit", "2")
    out = shown.stdout
    assert "Valid query. 3 stored posts match since" in out
    assert f"Per day (UTC) {(datetime.now(UTC) - timedelta(weeks=1)).date()}" in out
    assert "Newest 2, matched words highlighted:" in out
    # post text is shown as text: markup and terminal escapes do nothing
    assert "[bold red]Acme kettle[/bold red]" in out and "\x1b" not in out
    assert "arrived" not in out  # the sample holds the newest 2

    data = json.loads(
        hubbub(
            settings,
            "query",
            "test",
            "kettle NOT broke",
            "--since",
            "all",
            "--json",
            "--post",
            "https://forum.example/k2",
            "--post",
            "k1",
        ).stdout
    )
    assert data["count"] == 3 and data["since"] is None
    assert len(data["per_day"]) == 101 and data["per_day"][0]["count"] == 1
    assert [s["external_id"] for s in data["sample"]] == ["k1", "k3", "k4"]
    assert data["sample"][0]["highlights"] == [
        {"part": "text", "start": 8, "end": 14, "terms": ["kettle"]}
    ]
    k2, k1 = data["explanations"]
    assert (k2["matched"], k1["matched"]) == (False, True)
    assert k2["tree"]["children"][1]["detail"] == "the excluded clause is present"

    why = hubbub(settings, "query", "test", "kettle NOT broke", "--post", "k2", "--limit", "0")
    assert "Why: post does not match" in why.stdout
    assert "✗ NOT broke — the excluded clause is present" in why.stdout


def test_query_test_rejects_bad_input(settings: Settings) -> None:
    hubbub(settings, "init")
    syntax = hubbub(settings, "query", "test", "acme AND (", check=False)
    assert syntax.returncode == 1 and "acme AND (\n          ^" in syntax.stderr
    window = hubbub(settings, "query", "test", "acme", "--since", "3x", check=False)
    assert window.returncode == 1 and "--since: cannot read the duration '3x'" in window.stderr
    missing = hubbub(settings, "query", "test", "acme", "--post", "nope", check=False)
    assert missing.returncode == 1 and "no stored post with that id" in missing.stderr


def test_query_match_sees_the_enrichments_in_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "home")  # nothing is stored: one run is enough
    raw = _write(
        tmp_path / "in.jsonl",
        [
            {"id": "1", "text": "I absolutely love this kettle, best purchase ever!"},
            {"id": "2", "text": "This kettle is the worst thing I ever bought. Awful."},
            {"id": "3", "text": "Kettle delivered on Tuesday."},
        ],
    )
    enriched = tmp_path / "enriched.jsonl"
    hubbub(settings, "enrich", "--in", str(raw), "--out", str(enriched))
    queries = _write(
        tmp_path / "q.jsonl",
        [
            {"name": "unhappy", "query": "kettle sentiment:negative"},
            {"name": "happy", "query": "kettle sentiment:positive"},
        ],
    )
    # a CSV export with its own enrichment columns: JSON in a cell, or a bare label
    csv = tmp_path / "more.csv"
    csv.write_text(
        "id,text,sentiment\n"
        'c1,Kettle leaks,"{""label"": ""negative"", ""score"": -0.4}"\n'
        "c2,Kettle is fine,positive\n",
        encoding="utf-8",
    )

    def matched(posts: Path) -> set[tuple[str, str]]:
        result = hubbub(
            settings, "query", "match", "--queries", str(queries), "--posts", str(posts)
        )
        return {(m["query"], m["post"]) for m in map(json.loads, result.stdout.splitlines())}

    assert matched(enriched) == {("happy", "1"), ("unhappy", "2")}
    assert matched(csv) == {("unhappy", "c1"), ("happy", "c2")}
