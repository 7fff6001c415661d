"""Labelled sentiment data: the SemEval 2013-2016 Task 4A tweet files and
JSONL (``{"text": ..., "label": ...}``), and the train / tune / report split.

The split holds out whole files from the latest year instead of random tweets,
so the scores estimate transfer to a later year: ``2016dev`` tunes the stacker,
``2016devtest`` is only ever reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}

TUNE_FILES = ("twitter-2016dev-A.txt",)
REPORT_FILES = ("twitter-2016devtest-A.txt",)
SEMEVAL_GLOB = "twitter-*-A.txt"

# Some files store commas and quotes as literal \u002c / \u2019 escapes.
_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass
class Dataset:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file:line: why"

    def add(self, text: str, label: int) -> None:
        self.texts.append(text)
        self.labels.append(label)

    def extend(self, other: Dataset) -> None:
        self.texts += other.texts
        self.labels += other.labels
        self.skipped += other.skipped

    def __len__(self) -> int:
        return len(self.texts)


def _clean_tweet(text: str) -> str:
    text = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text.strip())
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return text.strip()


def read_semeval(path: Path) -> Dataset:
    """``id<TAB>label<TAB>text`` lines; a line without a known label or text is
    skipped and named in ``skipped``, the rest are kept."""
    data = Dataset()
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            parts = line.rstrip("\r\n").split("\t")
            label = parts[1].strip().lower() if len(parts) > 1 else ""
            text = _clean_tweet("\t".join(parts[2:])) if len(parts) > 2 else ""
            if label not in LABEL_INDEX or not text:
                data.skipped.append(f"{path.name}:{number}: no label or text")
                continue
            data.add(text, LABEL_INDEX[label])
    return data


def read_jsonl(path: Path) -> Dataset:
    """One ``{"text", "label"}`` object a line; bad lines are named in ``skipped``."""
    data = Dataset()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = str(row["text"]).strip(), str(row["label"]).strip().lower()
            except (ValueError, KeyError, TypeError):
                data.skipped.append(f"{path.name}:{number}: not a JSON object with text and label")
                continue
            if label not in LABEL_INDEX or not text:
                data.skipped.append(f"{path.name}:{number}: label must be one of {LABELS}")
                continue
            data.add(text, LABEL_INDEX[label])
    return data


def read_labelled(path: Path) -> Dataset:
    """A JSONL file, or a SemEval tab-separated file."""
    if path.suffix in {".jsonl", ".json"}:
        return read_jsonl(path)
    return read_semeval(path)


@dataclass
class Split:
    train: Dataset
    tune: Dataset
    report: Dataset
    train_files: list[str]


def semeval_split(data_dir: Path) -> Split:
    files = sorted(data_dir.glob(SEMEVAL_GLOB))
    if not files:
        raise FileNotFoundError(f"no {SEMEVAL_GLOB} files in {data_dir}")
    names = {f.name for f in files}
    missing = [n for n in TUNE_FILES + REPORT_FILES if n not in names]
    if missing:
        raise FileNotFoundError(f"held-out files missing from {data_dir}: {missing}")
    tune, report = Dataset(), Dataset()
    for name in TUNE_FILES:
        tune.extend(read_semeval(data_dir / name))
    for name in REPORT_FILES:
        report.extend(read_semeval(data_dir / name))
    held_out = {t.lower() for t in tune.texts + report.texts}
    train = Dataset()
    train_files = [f for f in files if f.name not in TUNE_FILES + REPORT_FILES]
    seen: set[str] = set()
    for path in train_files:
        part = read_semeval(path)
        train.skipped += part.skipped
        for text, label in zip(part.texts, part.labels, strict=True):
            key = text.lower()
            # a tweet in several files, or also held out, is trained on once or not at all
            if key in held_out or key in seen:
                continue
            seen.add(key)
            train.add(text, label)
    return Split(train, tune, report, [f.name for f in train_files])
