"""FileSource: incremental, resumable JSONL and CSV import."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pluggy
import pytest

from hubbub import hookspecs
from hubbub.post import Post
from hubbub.sources.base import ConfigError, ItemError, Source, SourceBatch, SourceError
from hubbub.sources.files import connector
from hubbub.sources.files.connector import FileSource
from hubbub.sources.files.schema import post_to_record

FIXTURES = Path(__file__).parent / "fixtures"


def read_all(
    path: Path, cursor: dict[str, Any] | None = None, **settings: Any
) -> tuple[list[Post], list[ItemError], list[SourceBatch]]:
    source = FileSource({"path": str(path), **settings}, cursor)
    batches = []
    while True:
        batch = source.next_batch()
        batches.append(batch)
        if batch.done:
            break
        assert len(batches) < 10_000
    source.close()
    posts = [p for b in batches for p in b.posts]
    errors = [e for b in batches for e in b.errors]
    return posts, errors, batches


def fixture(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def test_registers_through_the_hook_and_is_a_source(tmp_path: Path) -> None:
    pm = pluggy.PluginManager("hubbub")
    pm.add_hookspecs(hookspecs)
    pm.register(connector)
    assert [k for group in pm.hook.hubbub_source_kinds() for k in group] == [FileSource]
    assert FileSource.kind == "file" and FileSource.description
    assert [s["name"] for s in FileSource.settings_help()] == [
        "path",
        "format",
        "platform",
        "batch_size",
    ]
    assert isinstance(FileSource({"path": str(fixture(tmp_path, "all-fields.jsonl"))}), Source)


def test_jsonl_every_field(tmp_path: Path) -> None:
    posts, errors, batches = read_all(fixture(tmp_path, "all-fields.jsonl"), platform="mentions")
    assert errors == []
    assert len(batches) == 1 and batches[0].done
    first, minimal, epoch, offset = posts
    assert first == Post(
        platform="twitter",
        external_id="tw-1001",
        text="Loving the new Acme widget! https://acme.example/w",
        url="https://twitter.example/acme_fan/status/1001",
        author_handle="acme_fan",
        author_name="Acme Fan",
        author_followers=1200,
        created_at=datetime(2025, 1, 6, 10, 30, tzinfo=UTC),
        language="en",
        reply_to="tw-1000",
        thread_root="tw-999",
        likes=15,
        reposts=3,
        replies=2,
        links=["https://acme.example/w"],
        raw={"campaign": "spring", "geo": {"country": "PT"}},
    )
    assert (minimal.platform, minimal.external_id, minimal.created_at) == ("mentions", "1002", None)
    assert epoch.created_at == datetime(2025, 1, 6, 10, 30, tzinfo=UTC)
    assert offset.created_at == datetime(2025, 1, 6, 10, 30, tzinfo=UTC)
    assert offset.title == "A title"


def test_csv_every_field_with_bom_and_multiline_quotes(tmp_path: Path) -> None:
    posts, errors, _ = read_all(fixture(tmp_path, "all-fields.csv"))
    assert errors == []
    first, multiline, plain = posts
    assert first == Post(
        platform="review",
        external_id="r-1",
        text="Great service, fast delivery",
        url="https://reviews.example/r/1",
        title="Five stars",
        author_handle="buyer1",
        author_name="Buyer One",
        author_followers=10,
        created_at=datetime(2025, 2, 1, 9, 0, tzinfo=UTC),
        language="en",
        likes=4,
        reposts=0,
        replies=1,
        links=["https://reviews.example/r/1", "https://acme.example/"],
        raw={"campaign": "spring"},
    )
    assert multiline.platform == "import"
    assert multiline.text == 'A review that spans\nseveral lines, with "quotes" and a comma'
    assert multiline.created_at == datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
    assert (multiline.reply_to, multiline.thread_root, multiline.language) == ("r-1", "r-1", "pt")
    assert plain.text == "Plain unquoted text"


def test_jsonl_bad_rows_each_give_one_error_naming_the_line(tmp_path: Path) -> None:
    posts, errors, _ = read_all(fixture(tmp_path, "bad-rows.jsonl"))
    assert [p.external_id for p in posts] == ["ok-1", "ok-3"]
    assert [e.item for e in errors] == [
        "line 2",
        "line 3",
        "line 4",
        "line 6",
        "line 7",
        "line 8",
        "line 9",
    ]
    messages = dict((e.item, e.message) for e in errors)
    assert "invalid date 'yesterday-ish'" in messages["line 2"]
    assert messages["line 3"].startswith("invalid JSON:")
    assert messages["line 4"].startswith("invalid UTF-8")
    assert messages["line 6"] == "missing required field 'text'"
    assert messages["line 7"] == "missing required field 'id'"
    assert "expected a JSON object" in messages["line 8"]
    assert "'likes'" in messages["line 9"]


def test_csv_bad_rows_each_give_one_error_naming_the_row(tmp_path: Path) -> None:
    posts, errors, _ = read_all(fixture(tmp_path, "bad-rows.csv"))
    assert [p.external_id for p in posts] == ["ok-1", "ok-2"]
    assert posts[1].created_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert [e.item for e in errors] == [
        "row 2 (line 3)",
        "row 3 (line 5)",
        "row 4 (line 6)",
        "row 5 (line 7)",
        "row 6 (line 8)",
    ]
    messages = [e.message for e in errors]
    assert "invalid date '31/12/2024'" in messages[0]
    assert messages[1].startswith("invalid UTF-8")
    assert messages[2] == "missing required field 'id'"
    assert messages[3] == "missing required field 'text'"
    assert "expected 3 fields" in messages[4]


def test_a_1mb_post_is_accepted(tmp_path: Path) -> None:
    big = "word " * 200_000 + "é" * 10
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_text(
        json.dumps({"id": "big", "text": big})
        + "\n"
        + json.dumps({"id": "after", "text": "x"})
        + "\n"
    )
    posts, errors, _ = read_all(jsonl)
    assert errors == [] and [p.external_id for p in posts] == ["big", "after"]
    assert posts[0].text == big

    table = tmp_path / "big.csv"
    table.write_text(f'id,text\nbig,"{big}\nsecond line"\nafter,x\n')
    posts, errors, _ = read_all(table)
    assert errors == [] and [p.external_id for p in posts] == ["big", "after"]
    assert posts[0].text == big + "\nsecond line"


def test_an_oversized_record_is_skipped_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubbub.sources.files import reader

    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", 1000)
    path = tmp_path / "huge.jsonl"
    path.write_text(
        json.dumps({"id": "huge", "text": "x" * 5000})
        + "\n"
        + json.dumps({"id": "ok", "text": "y"})
        + "\n"
    )
    posts, errors, _ = read_all(path)
    assert [p.external_id for p in posts] == ["ok"]
    assert [e.item for e in errors] == ["line 1"] and "longer than" in errors[0].message


def _mixed_records(n: int) -> list[dict[str, Any]]:
    records = []
    for i in range(n):
        text = f"post {i}"
        if i % 3 == 0:
            text += ',\nwith a "quoted" second line\n\nand a blank one'
        if i % 7 == 0:
            text += " ünïcödé €"
        records.append({"id": f"p{i}", "text": text, "likes": i})
    return records


def _write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=["id", "text", "likes"])
    writer.writeheader()
    writer.writerows(records)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(10, "")  # blank lines are skipped
    lines.insert(20, "{broken")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("name", "write"), [("data.jsonl", _write_jsonl), ("data.csv", _write_csv)]
)
def test_restart_after_every_batch_loses_and_repeats_nothing(
    tmp_path: Path, name: str, write: Any
) -> None:
    records = _mixed_records(50)
    path = tmp_path / name
    write(path, records)
    expected = [(r["id"], r["text"]) for r in records]
    whole, whole_errors, _ = read_all(path)
    assert [(p.external_id, p.text) for p in whole] == expected

    seen: list[tuple[str, str]] = []
    errors: list[ItemError] = []
    cursor = None
    for _ in range(100):
        # a new source each time, as after a restart from the saved cursor
        batch = FileSource({"path": str(path), "batch_size": 7}, cursor).next_batch()
        assert len(batch.posts) <= 7
        seen += [(p.external_id, p.text) for p in batch.posts]
        errors += batch.errors
        cursor = batch.cursor
        if batch.done:
            break
    assert seen == expected
    assert errors == whole_errors
    assert cursor is not None and cursor["offset"] == path.stat().st_size


def test_restart_from_an_older_cursor_only_repeats_the_unsaved_batch(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    _write_csv(path, _mixed_records(20))
    source = FileSource({"path": str(path), "batch_size": 5})
    first = source.next_batch()
    second = source.next_batch()  # the runner crashes before this batch is durable
    assert first.cursor is not None
    replay = FileSource({"path": str(path), "batch_size": 5}, first.cursor).next_batch()
    assert [p.external_id for p in replay.posts] == [p.external_id for p in second.posts]


def test_cursor_shape(tmp_path: Path) -> None:
    path = fixture(tmp_path, "all-fields.csv")
    batch = FileSource({"path": str(path), "batch_size": 1}).next_batch()
    assert batch.cursor is not None
    assert batch.cursor["line"] == 2 and batch.cursor["row"] == 1
    assert batch.cursor["size"] == path.stat().st_size
    assert batch.cursor["mtime"] == path.stat().st_mtime
    data = path.read_bytes()
    assert data[: batch.cursor["offset"]].endswith(b"spring\n")


def test_appended_records_are_read_on_resume(tmp_path: Path) -> None:
    path = tmp_path / "grow.jsonl"
    path.write_text('{"id": "1", "text": "one"}\n')
    posts, _, batches = read_all(path)
    with path.open("a") as f:
        f.write('{"id": "2", "text": "two"}\n')
    more, _, _ = read_all(path, batches[-1].cursor)
    assert [p.external_id for p in posts + more] == ["1", "2"]


def test_a_replaced_smaller_file_is_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "swap.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": "t" * 50}) + "\n" for i in range(10)))
    _, _, batches = read_all(path)
    path.write_text('{"id": "new", "text": "n"}\n')
    posts, errors, _ = read_all(path, batches[-1].cursor)
    assert [p.external_id for p in posts] == ["new"]
    assert errors[0].item == "file" and "shrank" in errors[0].message


def test_last_line_without_newline_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(b'id,text\r\na,"x\r\ny"\r\nb,last')
    posts, errors, _ = read_all(path)
    assert errors == []
    assert [(p.external_id, p.text) for p in posts] == [("a", "x\r\ny"), ("b", "last")]


def test_records_written_by_post_to_record_import_back(tmp_path: Path) -> None:
    original = Post(
        platform="rss",
        external_id="e1",
        text="body",
        title="T",
        likes=2,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        links=["https://x.example/"],
        raw={"k": [1]},
    )
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(post_to_record(original)) + "\n")
    posts, errors, _ = read_all(path)
    assert errors == [] and posts == [original]


def test_missing_file_after_a_restart_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.jsonl"
    source = FileSource({"path": str(path)}, {"offset": 10, "line": 1})
    with pytest.raises(SourceError, match="cannot read"):
        source.next_batch()


def test_csv_without_required_columns_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "nohead.csv"
    path.write_text("name,body\na,b\n")
    with pytest.raises(SourceError, match="lacks required column"):
        FileSource({"path": str(path)}).next_batch()


def test_empty_file_is_done_at_once(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    batch = FileSource({"path": str(path)}).next_batch()
    assert batch.done and batch.posts == [] and batch.errors == []


def test_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text('{"id": "1", "text": "t"}\n')
    posts, _, _ = read_all(path, format="jsonl")
    assert [p.external_id for p in posts] == ["1"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "'path' is required"),
        ({"path": "/nonexistent/file.jsonl"}, "does not exist"),
        ({"path": "FIXTURE", "format": "xml"}, "format must be"),
        ({"path": "FIXTURE", "batch_size": 0}, "batch_size must be between"),
        ({"path": "FIXTURE", "batch_size": "lots"}, "batch_size must be an integer"),
        ({"path": "FIXTURE", "platform": ""}, "platform"),
        ({"path": "FIXTURE", "delimiter": ";"}, "unknown setting"),
        ({"path": "UNKNOWN_EXTENSION"}, "cannot tell the format"),
    ],
)
def test_bad_settings_are_config_errors(
    tmp_path: Path, settings: dict[str, Any], message: str
) -> None:
    replacements = {
        "FIXTURE": str(fixture(tmp_path, "all-fields.jsonl")),
        "UNKNOWN_EXTENSION": str(tmp_path / "x.dat"),
    }
    (tmp_path / "x.dat").write_text("")
    settings = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in settings.items()}
    with pytest.raises(ConfigError, match=message):
        FileSource(settings)


def test_json_with_an_absurd_number_is_one_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "digits.jsonl"
    path.write_text(
        '{"id": "1", "text": "t", "likes": ' + "9" * 5000 + '}\n{"id": "2", "text": "ok"}\n'
    )
    posts, errors, _ = read_all(path)
    assert [p.external_id for p in posts] == ["2"]
    assert [e.item for e in errors] == ["line 1"] and errors[0].message.startswith("invalid JSON")
