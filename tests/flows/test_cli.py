"""The CLI end to end, as a user runs it, on both databases."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from hubbub.config import Settings
from hubbub.store.db import open_engine
from hubbub.store.tables import matches, posts

from .cli import hubbub, start_hubbub


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def records(n: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {
            "id": f"r{i}",
            "platform": "reddit",
            "text": f"Post {i} about the Acme kettle" + (" which broke" if i % 3 == 0 else ""),
            "author": f"user{i % 7}",
            "created_at": f"2026-11-0{1 + i % 9}T10:00:00Z",
        }
        for i in range(start, start + n)
    ]


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        n_posts = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        n_matches = conn.execute(select(func.count()).select_from(matches)).scalar_one()
    return n_posts, n_matches


def test_import_twice_is_idempotent_and_status_counts(settings: Settings, tmp_path: Path) -> None:
    hubbub(settings, "init")
    hubbub(settings, "query", "add", "Broken", "acme AND broke")
    file = write_jsonl(tmp_path / "posts.jsonl", records(60))
    first = hubbub(settings, "import", str(file))
    assert "Imported 60 new posts" in first.stdout
    again = hubbub(settings, "import", str(file))
    assert "Imported 0 new posts (60 already stored" in again.stdout
    status = json.loads(hubbub(settings, "status", "--json").stdout)
    assert status["posts"] == 60
    assert status["matches"] == 20
    found = [
        json.loads(line)
        for line in hubbub(settings, "search", "kettle AND broke", "--json").stdout.splitlines()
    ]
    assert len(found) == 20 and all("broke" in f["text"] for f in found)


def test_bad_rows_are_named_and_the_rest_imported(settings: Settings, tmp_path: Path) -> None:
    csv_file = tmp_path / "posts.csv"
    csv_file.write_bytes(
        b"id,text,created_at\n"
        b"a1,first good row,2026-11-01T10:00:00Z\n"
        b"a2,bad date row,not-a-date\n"
        b"a3,third good row,2026-11-02T10:00:00Z\n"
    )
    out = hubbub(settings, "import", str(csv_file))
    assert "Imported 2 new posts" in out.stdout
    assert "not-a-date" in out.stderr and ("row" in out.stderr or "line" in out.stderr)

    jsonl = tmp_path / "mixed.jsonl"
    big = "x" * 1_000_000
    jsonl.write_bytes(
        json.dumps({"id": "j1", "text": "fine"}).encode()
        + b"\n"
        + b'{"id": "j2", "text": "broken \xff\xfe utf8"}\n'
        + b"{not json\n"
        + json.dumps({"id": "j3", "text": big}).encode()
        + b"\n"
        + json.dumps({"id": "j4", "text": "also fine"}).encode()
        + b"\n"
    )
    out = hubbub(settings, "import", str(jsonl))
    assert "line 2" in out.stderr and "line 3" in out.stderr
    engine = open_engine(settings)
    with engine.connect() as conn:
        stored = set(
            conn.execute(select(posts.c.external_id).where(posts.c.platform == "import")).scalars()
        )
    engine.dispose()
    assert {"j1", "j3", "j4"} <= stored and "j2" not in stored


def test_killed_mid_ingest_then_restarted_loses_and_doubles_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    total = 30_000
    file = write_jsonl(tmp_path / "big.jsonl", records(total))
    hubbub(settings, "init")
    hubbub(settings, "query", "add", "Broken", "acme AND broke")
    hubbub(settings, "source", "add", "file", "--path", str(file), "--set", "batch_size=500")
    engine = open_engine(settings)
    proc = start_hubbub(settings, "ingest")
    try:
        deadline = time.monotonic() + 240
        while counts(engine)[0] < 2_000:
            assert proc.poll() is None, (
                f"ingest ended before it could be killed: {proc.communicate()}"
            )
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    stored_before, _ = counts(engine)
    assert 0 < stored_before < total, "the kill must land mid-run"
    hubbub(settings, "ingest")
    n_posts, n_matches = counts(engine)
    assert n_posts == total
    assert n_matches == total // 3
    status = json.loads(hubbub(settings, "status", "--json").stdout)
    assert status["sources"][0]["items_ingested"] == total
    engine.dispose()


def test_enrich_and_query_match_work_on_files(settings: Settings, tmp_path: Path) -> None:
    file = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "1", "text": "I absolutely love this kettle, best purchase ever!"},
            {"id": "2", "text": "This is the worst service I have ever had. Awful."},
            {"id": "3", "text": "Le service client est vraiment excellent, merci beaucoup."},
        ],
    )
    out = tmp_path / "out.jsonl"
    hubbub(settings, "enrich", "--in", str(file), "--out", str(out))
    enriched = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert enriched["1"]["sentiment"]["label"] == "positive"
    assert enriched["2"]["sentiment"]["label"] == "negative"
    assert -1 <= enriched["2"]["sentiment"]["score"] < 0
    assert enriched["3"]["language"] == "fr"

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"name": "kettle", "query": "kettle OR service"})
        + "\n"
        + json.dumps({"name": "broken", "query": "(kettle AND"})
        + "\n"
        + json.dumps({"name": "french", "query": "service AND lang:fr"})
        + "\n"
    )
    result = hubbub(settings, "query", "match", "--queries", str(queries), "--posts", str(out))
    got = {(m["query"], m["post"]) for m in map(json.loads, result.stdout.splitlines())}
    assert got == {("kettle", "1"), ("kettle", "2"), ("kettle", "3"), ("french", "3")}
    assert "q.jsonl:2" in result.stderr


def test_import_on_every_core_stores_what_one_process_stores(
    settings: Settings, tmp_path: Path
) -> None:
    file = write_jsonl(tmp_path / "posts.jsonl", records(3_000))
    hubbub(settings, "query", "add", "Broken", "acme AND broke")
    out = hubbub(settings, "import", str(file), "--workers", "2")
    assert "Imported 3,000 new posts" in out.stdout
    engine = open_engine(settings)
    assert counts(engine) == (3_000, 1_000)
    again = hubbub(settings, "import", str(file), "--workers", "2")
    assert "Imported 0 new posts (3,000 already stored" in again.stdout
    assert counts(engine) == (3_000, 1_000)
    engine.dispose()
