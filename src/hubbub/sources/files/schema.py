"""The record schema for JSONL and CSV files (documented in docs/import-format.md).

One record is one post. ``record_to_post`` reads a record (a JSON object, or a
CSV row where every value is a string and an empty cell means "absent");
``post_to_record`` writes one, so ``hubbub enrich`` can write what
``hubbub query match`` and the file source read back.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from hubbub.post import Post, parse_datetime

DEFAULT_PLATFORM = "import"

# record field -> Post attribute
STRING_FIELDS = {
    "platform": "platform",
    "url": "url",
    "title": "title",
    "author": "author_handle",
    "author_name": "author_name",
    "language": "language",
    "reply_to": "reply_to",
    "thread_root": "thread_root",
}
COUNT_FIELDS = ("author_followers", "likes", "reposts", "replies")
SCHEMA_FIELDS = frozenset(
    {"id", "text", "created_at", "links", "raw", "enrichments", *STRING_FIELDS, *COUNT_FIELDS}
)


class RecordError(ValueError):
    """A record that cannot become a Post. ``item`` names the record (e.g.
    "line 12"), ``field`` the offending field, ``detail`` what is wrong."""

    def __init__(self, item: str, field: str | None, detail: str) -> None:
        self.item = item
        self.field = field
        self.detail = detail
        super().__init__(f"{item}: {detail}")


def record_to_post(
    record: dict[str, Any],
    *,
    item: str,
    default_platform: str = DEFAULT_PLATFORM,
    enrichment_names: Iterable[str] = (),
) -> Post:
    """Build a Post from one record.

    Required: ``id``, ``text``. Fields outside the schema go to ``Post.raw``,
    except those named in ``enrichment_names``, which become enrichments (so
    the output of ``post_to_record`` reads back whole). An ``enrichments``
    object and a ``raw`` object are also accepted as they are.
    """
    if not isinstance(record, dict):
        raise RecordError(item, None, f"expected an object, found {type(record).__name__}")

    external_id = _string(record, "id", item)
    if external_id is None:
        raise RecordError(item, "id", "missing required field 'id'")
    text = record.get("text")
    if text is None or text == "":
        raise RecordError(item, "text", "missing required field 'text'")
    if not isinstance(text, str):
        raise RecordError(
            item, "text", f"field 'text' must be a string, found {type(text).__name__}"
        )

    fields: dict[str, Any] = {
        name: _string(record, key, item) for key, name in STRING_FIELDS.items()
    }
    fields["platform"] = fields["platform"] or default_platform
    for key in COUNT_FIELDS:
        fields[key] = _count(record, key, item)

    wanted_enrichments = set(enrichment_names)
    enrichments = dict(_object(record, "enrichments", item) or {})
    raw = dict(_object(record, "raw", item) or {})
    for key, value in record.items():
        if key in SCHEMA_FIELDS:
            continue
        if key in wanted_enrichments:
            enrichments[key] = value  # even None: "no result" is a result
        elif value is not None and value != "":
            raw[key] = value

    return Post(
        external_id=external_id,
        text=text,
        created_at=_date(record, "created_at", item),
        links=_links(record, "links", item),
        raw=raw or None,
        enrichments=enrichments,
        **fields,
    )


def lift_enrichments(post: Post, names: Iterable[str]) -> Post:
    """Move the fields named in ``names`` from ``post.raw`` to its enrichments:
    for a Post read by a reader that does not know the enrichers (the file
    source keeps them in ``raw``). A CSV cell holding a JSON object or list is
    decoded; other values are kept as they are. Returns ``post``."""
    raw = post.raw
    if not isinstance(raw, dict):
        return post
    for name in names:
        if name not in raw or name in post.enrichments:
            continue
        value = raw.pop(name)
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # not JSON after all: keep the text
                value = json.loads(value)
        post.enrichments[name] = value
    if not raw:
        post.raw = None
    return post


def post_to_record(post: Post) -> dict[str, Any]:
    """The record for ``post``: schema fields that are set, ``raw`` as an
    object, and each enrichment at the top level under its name (e.g.
    ``"sentiment": {"label": "negative", "score": -0.6}``). Store-side
    fields (the store id, source id, ingested_at) are not part of a record."""
    record: dict[str, Any] = {"id": post.external_id, "platform": post.platform, "text": post.text}
    for key, name in STRING_FIELDS.items():
        value = getattr(post, name)
        if value is not None:
            record[key] = value
    for key in COUNT_FIELDS:
        if getattr(post, key) is not None:
            record[key] = getattr(post, key)
    if post.created_at is not None:
        record["created_at"] = post.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if post.links:
        record["links"] = list(post.links)
    if post.raw:
        record["raw"] = dict(post.raw)
    for name, result in post.enrichments.items():
        # An enrichment never hides a schema field; under "enrichments" it still reads back.
        if name in SCHEMA_FIELDS:
            record.setdefault("enrichments", {})[name] = result
        else:
            record[name] = result
    return record


def _string(record: dict[str, Any], key: str, item: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(
            item, key, f"field '{key}' must be a string, found {type(value).__name__}"
        )
    return str(value)


def _count(record: dict[str, Any], key: str, item: str) -> int | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 0:
        raise RecordError(
            item, key, f"field '{key}' must be a non-negative integer, found {value!r}"
        )
    return number


def _date(record: dict[str, Any], key: str, item: str) -> datetime | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            stripped = value.strip()
            if _is_number(stripped):
                return datetime.fromtimestamp(float(stripped), UTC)
            return parse_datetime(stripped)
    except (ValueError, OverflowError, OSError):
        pass
    raise RecordError(
        item,
        key,
        f"field '{key}' has an invalid date {value!r} (expected ISO 8601 or epoch seconds)",
    )


def _links(record: dict[str, Any], key: str, item: str) -> list[str]:
    value = record.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):  # the CSV form: space-separated
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise RecordError(
        item, key, f"field '{key}' must be a list of strings or a space-separated string"
    )


def _object(record: dict[str, Any], key: str, item: str) -> dict[str, Any] | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):  # the CSV form: a JSON object in the cell
        try:
            value = json.loads(value)
        except ValueError:
            raise RecordError(
                item, key, f"field '{key}' must be a JSON object, found invalid JSON"
            ) from None
    if not isinstance(value, dict):
        raise RecordError(
            item, key, f"field '{key}' must be an object, found {type(value).__name__}"
        )
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
