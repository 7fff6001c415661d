"""Reading a file record by record while knowing each record's exact byte range.

The file source's cursor is a byte offset, so records are split from the raw
bytes here (never through a text wrapper, whose positions are opaque): a JSONL
record is one line; a CSV record is one line, or several when a quoted field
holds newlines. ``"`` , ``,`` and ``\\n`` never occur inside a multi-byte UTF-8
sequence, so scanning bytes is exact for UTF-8 files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

# A record longer than this is reported and skipped rather than held in memory.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024

# CSV scanner states, following the csv module: a quote opens a quoted field
# only at the start of a field; inside one, "" is an escaped quote.
_FIELD_START, _UNQUOTED, _QUOTED, _AFTER_QUOTE = range(4)
_CSV_SPECIAL = re.compile(rb'[",\n]')
_QUOTE = ord('"')


@dataclass
class RawRecord:
    data: bytes | None  # None: longer than MAX_RECORD_BYTES, skipped
    lines: int  # physical lines it spans
    end: int  # byte offset just after it


def read_record(file: BinaryIO, *, csv: bool) -> RawRecord | None:
    """The next record from ``file``'s current position, or None at EOF.
    A last record without a trailing newline counts as complete."""
    buffer = bytearray()
    size = 0
    lines = 0
    state = _FIELD_START
    at_line_end = True
    while True:
        chunk = file.readline(_CHUNK)
        if not chunk:
            break
        at_line_end = chunk.endswith(b"\n")
        size += len(chunk)
        if size <= MAX_RECORD_BYTES:
            buffer += chunk
        if csv:
            state = _scan_csv(chunk, state)
        if at_line_end:
            lines += 1
            if state != _QUOTED:  # else a newline inside a quoted field: read on
                break
    if size == 0:
        return None
    if not at_line_end:
        lines += 1  # the unterminated last line
    data = bytes(buffer) if size <= MAX_RECORD_BYTES else None
    return RawRecord(data=data, lines=lines, end=file.tell())


def _scan_csv(chunk: bytes, state: int) -> int:
    pos = 0
    for match in _CSV_SPECIAL.finditer(chunk):
        index = match.start()
        if index > pos and state in (_FIELD_START, _AFTER_QUOTE):
            state = _UNQUOTED
        byte = chunk[index]
        if state == _QUOTED:
            if byte == _QUOTE:
                state = _AFTER_QUOTE
        elif byte == _QUOTE:
            if state in (_FIELD_START, _AFTER_QUOTE):
                state = _QUOTED
        else:  # a comma or the newline ends the field
            state = _FIELD_START
        pos = index + 1
    if pos < len(chunk) and state in (_FIELD_START, _AFTER_QUOTE):
        state = _UNQUOTED
    return state
