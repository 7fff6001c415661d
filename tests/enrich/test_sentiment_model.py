"""The trained sentiment model: the shipped artifact, `hubbub eval sentiment`
and the determinism of `hubbub train sentiment`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hubbub.enrich.sentiment import SentimentEnricher
from hubbub.enrich.sentiment_trained.model import ARTIFACT, LABELS, TrainedSentiment
from hubbub.enrich.training.finetune import FinetuneConfig
from hubbub.enrich.training.sentiment import train_sentiment
from hubbub.enrich.training.sentiment_data import read_semeval
from hubbub.post import Post

REPO = Path(__file__).resolve().parents[2]
OTHER_DOMAINS = REPO / "data" / "sentiment" / "other-domains.jsonl"
EMOJI_POSTS = REPO / "data" / "sentiment" / "emoji-posts.jsonl"
SEMEVAL = Path("data") / "sentiment" / "semeval2013-2016"
# The training run never sees this file: it is the split it only reports on.
HELD_OUT = "twitter-2016devtest-A.txt"
# Nothing may be fetched: the base model comes from its package, the rest from ARTIFACT.
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": "/nonexistent"}


def hubbub(*args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | OFFLINE
    return subprocess.run(
        [sys.executable, "-m", "hubbub", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def eval_json(path: Path, model: str) -> dict:
    done = hubbub("eval", "sentiment", str(path), "--model", model, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_artifact_ships_within_the_size_limit() -> None:
    assert ARTIFACT.is_file()
    assert ARTIFACT.stat().st_size <= 25 * 1024 * 1024


def test_the_enrichment_has_the_sentiment_shape() -> None:
    enricher = SentimentEnricher("minilm")
    texts = [
        "I absolutely love this, best day ever!",
        "This is the worst service I have ever had. Never again.",
        "The store opens at 9am on Mondays.",
        "",
    ]
    results = enricher.enrich([Post("x", str(i), t) for i, t in enumerate(texts)])
    assert [r["label"] for r in results] == ["positive", "negative", "neutral", "neutral"]
    for r in results:
        assert r["model"] == "minilm"
        assert r["model_version"] == enricher.backend.version  # type: ignore[attr-defined]
        assert -1.0 <= r["score"] <= 1.0
    assert results[0]["score"] > 0.5 > -0.5 > results[1]["score"]
    probs = results[0]["probs"]
    assert set(probs) == set(LABELS)
    # a post in a language the model does not rate is skipped, its neighbours scored
    french = Post("x", "fr", "Le colis est arrivé cassé, très déçu", language="fr")
    mixed = enricher.enrich([french, Post("x", "en", texts[1])])
    assert mixed[0] == {"label": None, "score": None, "model": "minilm", "unrated_language": "fr"}
    assert mixed[1]["label"] == "negative"
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-3)
    assert "probs" not in results[3]  # nothing was scored


@pytest.mark.slow
def test_the_shipped_model_beats_vader_on_a_held_out_year(shared_dir: Path) -> None:
    held_out = shared_dir / SEMEVAL / HELD_OUT
    if not held_out.is_file():
        pytest.skip(f"{held_out} is absent")
    trained = eval_json(held_out, "minilm")
    vader = eval_json(held_out, "vader")
    assert trained["count"] == vader["count"] >= 1900
    margin = trained["macro_recall"] - vader["macro_recall"]
    # measured: 0.49 (VADER) against 0.6+ (trained); a real model clears 0.08 easily
    assert margin >= 0.08, (trained["macro_recall"], vader["macro_recall"])
    assert trained["macro_f1"] > vader["macro_f1"]
    assert trained["accuracy"] > vader["accuracy"]


def test_eval_prints_the_metrics_on_another_domain() -> None:
    done = hubbub("eval", "sentiment", str(OTHER_DOMAINS), "--model", "minilm")
    assert done.returncode == 0, done.stderr
    for shown in ("macro recall", "macro F1", "accuracy", "Confusion matrix", "negative"):
        assert shown in done.stdout
    scores = eval_json(OTHER_DOMAINS, "minilm")
    assert scores["count"] == sum(1 for line in OTHER_DOMAINS.open() if line.strip())
    assert sum(map(sum, scores["confusion"])) == scores["count"]
    assert 0.0 <= scores["macro_recall"] <= 1.0
    low, high = scores["macro_recall_interval"]
    assert low < scores["macro_recall"] < high
    assert f"95% bootstrap interval {low:.3f}-{high:.3f}" in done.stdout
    # far better than chance (1/3) on posts no model was trained or tuned on
    assert scores["macro_recall"] > 0.6


def test_emoji_are_read_as_what_they_say() -> None:
    """MiniLM has no emoji in its vocabulary: spelled out, they carry tone.
    Measured on our 90 emoji posts: 0.733 macro recall while they were one
    [UNK] (negative recall 0.63), 0.833 spelled out (negative 0.87)."""
    scores = eval_json(EMOJI_POSTS, "minilm")
    assert scores["count"] == 90
    assert scores["macro_recall"] >= 0.8, scores
    assert scores["recall"]["negative"] >= 0.8, scores
    enricher = SentimentEnricher("minilm")
    angry, thumbs_down = enricher.enrich(
        [Post("x", "1", "new update 😡😡"), Post("x", "2", "delivery came today 👎")]
    )
    # both were "positive" with the emoji as [UNK] (scores 0.57 and 0.79)
    assert angry["label"] != "positive" and angry["score"] < 0
    assert thumbs_down["label"] != "positive" and thumbs_down["score"] < 0.25
    assert ".t2" in angry["model_version"]  # the normalisation is part of the version


def test_eval_reports_bad_lines_and_scores_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"text": "I love it, wonderful!", "label": "positive"}\n'
        "not json at all\n"
        '{"text": "terrible, broken on arrival", "label": "angry"}\n'
        '{"text": "Broken on arrival. Awful.", "label": "negative"}\n'
    )
    done = hubbub("eval", "sentiment", str(path), "--model", "vader", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == 2
    assert json.loads(done.stdout)["skipped"] == 2
    assert "mixed.jsonl:2" in done.stderr and "mixed.jsonl:3" in done.stderr
    missing = hubbub("eval", "sentiment", str(tmp_path / "nope.jsonl"))
    assert missing.returncode != 0 and "no such file" in missing.stderr


def _tiny_semeval(folder: Path) -> None:
    """A SemEval-shaped folder from the hand-written posts: one training file
    (with a malformed line) and the two held-out files."""
    rows = [json.loads(line) for line in OTHER_DOMAINS.open()]
    folder.mkdir()
    files = {
        "twitter-2013train-A.txt": rows[0::3] + rows[1::3][:20],
        "twitter-2016dev-A.txt": rows[1::3][20:],
        "twitter-2016devtest-A.txt": rows[2::3],
    }
    for name, part in files.items():
        lines = [f"{i}\t{r['label']}\t{r['text']}" for i, r in enumerate(part)]
        if name.endswith("train-A.txt"):
            lines.insert(3, "12345\tmaybe")  # no text, unknown label
        (folder / name).write_text("\n".join(lines) + "\n")


def test_training_is_deterministic_given_the_seed(tmp_path: Path) -> None:
    data = tmp_path / "semeval"
    _tiny_semeval(data)
    assert len(read_semeval(data / "twitter-2013train-A.txt").skipped) == 1

    def run(seed: int, out: Path) -> str:
        config = FinetuneConfig(epochs=2, batch_size=8)
        result = train_sentiment(data, out, seed=seed, config=config, log=lambda _: None)
        assert set(result.scores) >= {"report/stacked", "report/vader", "tune/minilm-top-layers"}
        return result.version

    first = run(13, tmp_path / "a.safetensors")
    again = run(13, tmp_path / "b.safetensors")
    other = run(14, tmp_path / "c.safetensors")
    assert first == again
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    assert other != first
    # the int8 input ranges are written beside it, the same for the same seed,
    # and the model loads on them
    ranges = tmp_path / "a.int8.json"
    assert ranges.read_text() == (tmp_path / "b.int8.json").read_text()
    assert f'"artifact_version": "{first}"' in ranges.read_text()
    assert TrainedSentiment(tmp_path / "a.safetensors").version.endswith(".r")
