"""record_to_post / post_to_record: the documented import record schema."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubbub.post import Post
from hubbub.sources.files.schema import SCHEMA_FIELDS, RecordError, post_to_record, record_to_post


def test_every_field() -> None:
    post = record_to_post(
        {
            "id": "tw-1",
            "platform": "twitter",
            "text": "hello",
            "url": "https://t.example/1",
            "title": "T",
            "author": "fan",
            "author_name": "A Fan",
            "author_followers": 12,
            "created_at": "2025-01-06T10:30:00+01:00",
            "language": "en",
            "reply_to": "tw-0",
            "thread_root": "tw-00",
            "likes": 1,
            "reposts": 2,
            "replies": 3,
            "links": ["https://a.example/"],
            "campaign": "spring",
        },
        item="line 1",
    )
    assert post == Post(
        platform="twitter",
        external_id="tw-1",
        text="hello",
        url="https://t.example/1",
        title="T",
        author_handle="fan",
        author_name="A Fan",
        author_followers=12,
        language="en",
        created_at=datetime(2025, 1, 6, 9, 30, tzinfo=UTC),
        reply_to="tw-0",
        thread_root="tw-00",
        likes=1,
        reposts=2,
        replies=3,
        links=["https://a.example/"],
        raw={"campaign": "spring"},
    )


def test_defaults_and_csv_style_strings() -> None:
    post = record_to_post(
        {
            "id": "7",
            "text": "t",
            "platform": "",
            "likes": "5",
            "author_followers": " 10 ",
            "created_at": "1736159400",
            "links": "https://a.example/ https://b.example/",
            "url": "",
        },
        item="row 1",
        default_platform="import",
    )
    assert post.platform == "import"
    assert (post.likes, post.author_followers, post.url) == (5, 10, None)
    assert post.created_at == datetime(2025, 1, 6, 10, 30, tzinfo=UTC)
    assert post.links == ["https://a.example/", "https://b.example/"]
    assert post.raw is None


def test_numeric_id_and_epoch_number() -> None:
    post = record_to_post({"id": 42, "text": "t", "created_at": 0}, item="line 3")
    assert post.external_id == "42"
    assert post.created_at == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        ({"text": "t"}, "id", "missing required field 'id'"),
        ({"id": "", "text": "t"}, "id", "missing required field 'id'"),
        ({"id": "1"}, "text", "missing required field 'text'"),
        ({"id": "1", "text": ""}, "text", "missing required field 'text'"),
        ({"id": "1", "text": 5}, "text", "'text' must be a string"),
        ({"id": ["x"], "text": "t"}, "id", "'id' must be a string"),
        (
            {"id": "1", "text": "t", "created_at": "31/12/2024"},
            "created_at",
            "invalid date '31/12/2024'",
        ),
        ({"id": "1", "text": "t", "created_at": "nan"}, "created_at", "invalid date"),
        ({"id": "1", "text": "t", "created_at": True}, "created_at", "invalid date"),
        ({"id": "1", "text": "t", "likes": -1}, "likes", "'likes' must be a non-negative integer"),
        ({"id": "1", "text": "t", "likes": "many"}, "likes", "non-negative integer"),
        ({"id": "1", "text": "t", "replies": True}, "replies", "non-negative integer"),
        ({"id": "1", "text": "t", "links": [1]}, "links", "list of strings"),
        ({"id": "1", "text": "t", "raw": "{oops"}, "raw", "invalid JSON"),
        ({"id": "1", "text": "t", "enrichments": [1]}, "enrichments", "must be an object"),
    ],
)
def test_bad_records_name_the_item_and_the_field(
    record: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(RecordError) as raised:
        record_to_post(record, item="line 12")
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.item == "line 12" and error.field == field
    assert message in error.detail
    assert str(error).startswith("line 12: ")


def test_post_to_record_puts_enrichments_at_the_top_level() -> None:
    post = Post(
        platform="rss",
        external_id="x",
        text="t",
        language="en",
        enrichments={"sentiment": {"label": "negative", "score": -0.6}, "links": ["clash"]},
    )
    record = post_to_record(post)
    assert record["sentiment"] == {"label": "negative", "score": -0.6}
    assert record["language"] == "en"
    assert record["enrichments"] == {"links": ["clash"]}  # never hides a schema field
    assert "links" not in record
    back = record_to_post(record, item="x", enrichment_names=["sentiment"])
    assert back.enrichments == post.enrichments
    # without the names, unknown fields are kept in raw
    assert record_to_post(record, item="x").raw == {
        "sentiment": {"label": "negative", "score": -0.6}
    }


_text = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s != "")
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
_count = st.none() | st.integers(0, 10**9)
_opt = st.none() | _text
_posts = st.builds(
    Post,
    platform=_text,
    external_id=_text,
    text=_text,
    url=_opt,
    title=_opt,
    author_handle=_opt,
    author_name=_opt,
    author_followers=_count,
    language=_opt,
    created_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    reply_to=_opt,
    thread_root=_opt,
    likes=_count,
    reposts=_count,
    replies=_count,
    links=st.lists(_text.filter(lambda s: " " not in s), max_size=3),
    raw=st.none() | st.dictionaries(_text, _json, min_size=1, max_size=3),
    enrichments=st.dictionaries(
        st.sampled_from(["sentiment", "language_guess", "dedup", "text", "raw"]), _json, max_size=3
    ),
)


@given(_posts)
def test_record_round_trip(post: Post) -> None:
    back = record_to_post(post_to_record(post), item="x", enrichment_names=post.enrichments)
    assert back == post


def test_schema_fields_are_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "import-format.md").read_text()
    for name in SCHEMA_FIELDS:
        assert f"`{name}`" in doc, name
