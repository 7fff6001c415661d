"""The "file" source kind: imports a JSONL or CSV file in the record schema
(see schema.py and docs/import-format.md), a batch at a time.

Cursor: ``{"offset": bytes consumed, "line": physical lines consumed,
"row": CSV data rows consumed, "size": ..., "mtime": ...}`` as of the last
complete record read, so a restart resumes exactly after it. A file that has
shrunk below the offset was replaced; it is read again from the start
(harmless: ingest is idempotent).
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from hubbub.hookspecs import hookimpl
from hubbub.sources.base import ConfigError, ItemError, SourceBatch, SourceError
from hubbub.sources.files.reader import MAX_RECORD_BYTES, RawRecord, read_record
from hubbub.sources.files.schema import DEFAULT_PLATFORM, RecordError, record_to_post
from hubbub.sources.settings import reject_unknown

DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 100_000
FORMATS = ("jsonl", "csv")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".csv": "csv"}
_BOM = b"\xef\xbb\xbf"

# The csv module refuses fields over 128 KiB by default; a record is already
# bounded by MAX_RECORD_BYTES, so let one field be that long. (The limit is
# process-wide; raising it cannot break other readers.)
if csv.field_size_limit() < MAX_RECORD_BYTES:
    csv.field_size_limit(MAX_RECORD_BYTES)

_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "path",
        "type": "str",
        "required": True,
        "default": None,
        "help": "The file to import (UTF-8; records as in docs/import-format.md).",
    },
    {
        "name": "format",
        "type": "str",
        "required": False,
        "default": "auto",
        "help": "jsonl, csv, or auto: by extension (.jsonl/.ndjson/.jsonlines, .csv).",
    },
    {
        "name": "platform",
        "type": "str",
        "required": False,
        "default": DEFAULT_PLATFORM,
        "help": "Platform for records that do not name one.",
    },
    {
        "name": "batch_size",
        "type": "int",
        "required": False,
        "default": DEFAULT_BATCH_SIZE,
        "help": f"Records read per batch (1 to {MAX_BATCH_SIZE}).",
    },
]


class FileSource:
    kind: ClassVar[str] = "file"
    description: ClassVar[str] = (
        "Import posts from a JSONL or CSV file (see docs/import-format.md)."
    )

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        """One dict per setting: name, type, required, default, help."""
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(self.kind, settings, _SETTINGS)
        path = settings.get("path")
        if not isinstance(path, str | os.PathLike) or not str(path).strip():
            raise ConfigError("file: setting 'path' is required (the JSONL or CSV file to import)")
        self.path = Path(path).expanduser()
        # Only a new source must find its file now; a resumed one reports a
        # missing file as a fetch failure, so its history is kept.
        if cursor is None and not self.path.is_file():
            raise ConfigError(f"file: {self.path} does not exist or is not a file")
        self.format = _format(settings.get("format", "auto"), self.path)
        platform = settings.get("platform", DEFAULT_PLATFORM)
        if not isinstance(platform, str) or not platform.strip():
            raise ConfigError("file: platform must be a non-empty string")
        self.platform = platform.strip()
        self.batch_size = _batch_size(settings.get("batch_size", DEFAULT_BATCH_SIZE))

        cursor = cursor or {}
        self._offset = int(cursor.get("offset") or 0)
        self._line = int(cursor.get("line") or 0)
        self._row = int(cursor.get("row") or 0)
        self._size: int | None = cursor.get("size")
        self._mtime: float | None = cursor.get("mtime")
        self._header: list[str] | None = None

    def next_awake(self) -> datetime | None:
        return None  # a file has no schedule: read on as fast as the runner likes

    def snapshot(self) -> dict[str, Any]:
        return {
            "offset": self._offset,
            "line": self._line,
            "row": self._row,
            "size": self._size,
            "mtime": self._mtime,
        }

    def close(self) -> None:
        pass  # the file is opened per batch

    def next_batch(self) -> SourceBatch:
        try:
            stat = self.path.stat()
            file = self.path.open("rb")
        except OSError as exc:
            raise SourceError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        batch = SourceBatch()
        with file:
            if stat.st_size < self._offset:
                batch.errors.append(
                    ItemError(
                        "file",
                        f"{self.path} shrank from {self._size} to {stat.st_size} bytes; reading it again from the start",
                    )
                )
                self._offset = self._line = self._row = 0
            self._size, self._mtime = stat.st_size, stat.st_mtime
            if self.format == "csv":
                self._header = self._read_header(file)
            file.seek(self._offset)
            self._read_batch(file, batch)
            batch.done = file.tell() >= os.fstat(file.fileno()).st_size
        batch.cursor = self.snapshot()
        return batch

    def _read_batch(self, file: BinaryIO, batch: SourceBatch) -> None:
        consumed = 0
        while consumed < self.batch_size:
            first_line = self._line + 1
            at_start = self._offset == 0
            record = read_record(file, csv=self.format == "csv")
            if record is None:
                return
            self._offset, self._line = record.end, self._line + record.lines
            data = record.data
            if data is not None and at_start:
                data = data.removeprefix(_BOM)
            if data is not None and not data.strip():
                continue  # blank line
            consumed += 1
            if self.format == "csv":
                self._row += 1
                item = f"row {self._row} (line {first_line})"
            else:
                item = f"line {first_line}"
            try:
                fields = self._decode(record, data, item)
                batch.posts.append(
                    record_to_post(fields, item=item, default_platform=self.platform)
                )
            except RecordError as exc:
                batch.errors.append(ItemError(exc.item, exc.detail))

    def _decode(self, record: RawRecord, data: bytes | None, item: str) -> dict[str, Any]:
        if data is None:
            raise RecordError(item, None, f"record longer than {MAX_RECORD_BYTES} bytes, skipped")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(
                item, None, f"invalid UTF-8 at byte {exc.start + 1} of the record"
            ) from None
        if self.format == "jsonl":
            return _json_object(text, item)
        assert self._header is not None
        return _csv_row(text, self._header, item)

    def _read_header(self, file: BinaryIO) -> list[str]:
        """The CSV header (the first record); on a fresh read, also consume it."""
        file.seek(0)
        record = read_record(file, csv=True)
        if record is None or record.data is None:
            raise SourceError(f"{self.path}: CSV file has no header row")
        try:
            text = record.data.removeprefix(_BOM).decode("utf-8")
            header = next(csv.reader(io.StringIO(text, newline="")))
        except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
            raise SourceError(f"{self.path}: unreadable CSV header: {exc}") from None
        header = [name.strip() for name in header]
        missing = [name for name in ("id", "text") if name not in header]
        if missing:
            raise SourceError(
                f"{self.path}: CSV header lacks required column(s) {', '.join(missing)}; found {', '.join(header)}"
            )
        if self._offset == 0:
            self._offset, self._line = record.end, record.lines
        return header


def _json_object(text: str, item: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(item, None, f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise RecordError(item, None, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise RecordError(item, None, "invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise RecordError(item, None, f"expected a JSON object, found {type(value).__name__}")
    return value


def _csv_row(text: str, header: list[str], item: str) -> dict[str, Any]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RecordError(item, None, f"invalid CSV: {exc}") from None
    if len(rows) != 1:
        raise RecordError(item, None, "invalid CSV: a bare carriage return splits the row")
    row = rows[0]
    if len(row) != len(header):
        raise RecordError(
            item, None, f"expected {len(header)} fields as in the header, found {len(row)}"
        )
    return dict(zip(header, row, strict=True))


def _format(value: Any, path: Path) -> str:
    if value in (None, "", "auto"):
        found = _EXTENSIONS.get(path.suffix.lower())
        if found is None:
            raise ConfigError(
                f"file: cannot tell the format of {path.name} from its extension; set format to jsonl or csv"
            )
        return found
    if value not in FORMATS:
        raise ConfigError(f"file: format must be jsonl, csv or auto, got {value!r}")
    return str(value)


def _batch_size(value: Any) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"file: batch_size must be an integer, got {value!r}") from None
    if isinstance(value, bool) or not 1 <= size <= MAX_BATCH_SIZE:
        raise ConfigError(f"file: batch_size must be between 1 and {MAX_BATCH_SIZE}, got {value!r}")
    return size


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [FileSource]
