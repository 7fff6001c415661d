"""`hubbub enrich --in FILE --out FILE` writes every enrichment of issue 7 for
each post: sentiment (label and score, with VADER and with the trained model;
not rated for a post in another language),
intents (labels with scores and the model version), language, duplicates
(``duplicate_of`` and cluster) and, with the key-phrase enricher, hashtags,
mentions, cashtags, links, domains and phrases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hubbub.enrich.intent import LABELS as INTENT_LABELS
from hubbub.plugins import get_plugin_manager

pytestmark = pytest.mark.intents

POSTS = [
    {
        "id": "1",
        "platform": "x",
        "text": "The app keeps crashing after the update and I lost all my notes. "
        "Terrible! #fail @acme https://acme.com/help $ACME",
    },
    {"id": "2", "platform": "x", "text": "Love the new kettle, best purchase this year!"},
    # a repost of the first: a duplicate in its cluster
    {
        "id": "3",
        "platform": "x",
        "text": "The app keeps crashing after the update and I lost all my notes. "
        "Terrible! #fail @acme https://acme.com/help $ACME",
    },
    {
        "id": "4",
        "platform": "x",
        "text": "Vielen Dank für die schnelle Lieferung, das Paket kam heute Morgen an.",
    },
]


def enrich(tmp_path: Path, sentiment_model: str) -> dict[str, dict[str, Any]]:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    env |= {"HUBBUB_HOME": str(tmp_path / "home"), "HUBBUB_SENTIMENT_MODEL": sentiment_model}
    done = subprocess.run(
        [sys.executable, "-m", "hubbub", "enrich", "--in", str(source), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Enriched 4 posts" in done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r for r in records}


@pytest.mark.parametrize("sentiment_model", ["vader", "minilm"])
def test_enrich_writes_every_enrichment(tmp_path: Path, sentiment_model: str) -> None:
    records = enrich(tmp_path, sentiment_model)
    assert sorted(records) == ["1", "2", "3", "4"]

    for i in "123":
        sentiment = records[i]["sentiment"]
        assert sentiment["label"] in {"negative", "neutral", "positive"}
        assert -1.0 <= sentiment["score"] <= 1.0
        assert sentiment["model"] == sentiment_model
    # German: the models are English-only, so the post is not rated rather than guessed
    assert records["4"]["sentiment"] == {
        "label": None,
        "score": None,
        "model": sentiment_model,
        "unrated_language": "de",
    }
    assert records["1"]["sentiment"]["label"] == "negative"
    assert records["2"]["sentiment"]["label"] == "positive"
    if sentiment_model == "minilm":
        assert records["1"]["sentiment"]["model_version"]

    for record in records.values():
        intents = record["intents"]
        assert intents["labels"] and set(intents["labels"]) <= set(INTENT_LABELS)
        assert set(intents["scores"]) == set(INTENT_LABELS)
        assert intents["model"].startswith("intent-")
    assert "bug_report" in records["1"]["intents"]["labels"]
    assert "praise" in records["2"]["intents"]["labels"]

    assert [records[i]["language"] for i in "1234"] == ["en", "en", "en", "de"]

    dedup = {i: r["dedup"] for i, r in records.items()}
    assert dedup["3"]["duplicate_of"] == "x:1"
    assert dedup["3"]["cluster"] == dedup["1"]["cluster"]
    assert dedup["1"]["duplicate_of"] is None and dedup["2"]["duplicate_of"] is None
    assert len({dedup[i]["cluster"] for i in "124"}) == 3

    if get_plugin_manager().has_plugin("hubbub.enrich.phrases"):
        phrases = records["1"]["phrases"]
        assert phrases["hashtags"] == ["fail"]
        assert phrases["mentions"] == ["acme"]
        assert phrases["cashtags"] == ["ACME"]
        assert phrases["domains"] == ["acme.com"]
        assert phrases["links"] == ["https://acme.com/help"]
        assert phrases["phrases"]
