"""Exact matching: every operator, field filter and the explanation."""

from __future__ import annotations

from typing import Any

import pytest

from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.post import Post


def post(text: str = "", **fields: Any) -> Post:
    fields.setdefault("platform", "reddit")
    return Post(external_id="1", text=text, **fields)


def matches(query: str, p: Post | str) -> bool:
    return compile_query(parse(query)).matches(post(p) if isinstance(p, str) else p)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        # terms, case and accents
        ("acme", "I love ACME!", True),
        ("acme", "acmeville", False),
        ("cafe", "un café crème", True),
        ("café", "un cafe creme", True),
        ("straße", "STRASSE", True),
        # punctuation and possessives
        ("acme", "Acme's new rocket", True),
        ("acme", "(acme)", True),
        ("dont", "don't", False),
        ("don't", "don't stop", True),
        # AND / juxtaposition / OR / NOT
        ("acme rocket", "rocket by acme", True),
        ("acme rocket", "acme only", False),
        ("acme AND rocket", "acme, rocket", True),
        ("acme OR globex", "globex wins", True),
        ("acme OR globex", "initech", False),
        ("acme NOT spam", "acme deals", True),
        ("acme NOT spam", "acme spam deals", False),
        ("acme AND NOT spam", "acme spam", False),
        ("acme NOT (spam OR scam)", "acme scam", False),
        ("acme NOT (spam OR scam)", "acme legit", True),
        ("acme NOT (spam scam)", "acme spam only", True),
        ("acme NOT (spam scam)", "acme spam and scam", False),
        ("rock and roll", "rock and roll", True),
        ("rock and roll", "rock roll", False),
        ("(acme OR globex) (rocket OR anvil)", "globex anvil", True),
        ("(acme OR globex) (rocket OR anvil)", "globex", False),
        # phrases
        ('"acme rocket"', "the acme rocket flies", True),
        ('"acme rocket"', "the rocket of acme", False),
        ('"acme rocket"', "acme, rocket", True),
        ('"acme rocket"', "#acme rocket", True),
        ("acme.com", "visit acme.com today", True),
        ("acme.com", "visit https://www.acme.com/x today", True),
        ("acme.com", "acme com", True),
        # hashtags, mentions
        ("#acme", "love #Acme", True),
        ("#acme", "love acme", False),
        ("acme", "love #acme", True),
        ("@acme", "hi @Acme", True),
        ("@acme", "hi acme", False),
        ("acme", "hi @acme", True),
        ("acme", "mail bob@acme.com", True),
        ("@acme", "mail bob@acme.com", False),
        # emoji
        ("😀", "so happy 😀!", True),
        ("😀 acme", "acme😀", True),
        ("😀", "sad 😢", False),
        ("👍", "ok 👍🏽", True),
        # CJK and Thai
        ("東京", "東京都に行く", True),
        ("京東", "東京都に行く", False),
        ("東京 都", "東京都", True),
        ('"東京都"', "私は東京都に", True),
        ("ไทย", "ภาษาไทยง่าย", True),
        ("ไทย", "ไ ท ย", True),
        # wildcards
        ("acme*", "acmecorp rocks", True),
        ("acme*", "acme rocks", True),
        ("acme*", "the acm rocks", False),
        ("colo?r", "what colour", True),
        ("colo?r", "what color", False),
        ("organi*ation", "organisation", True),
        ("organi*ation", "organization", True),
        ("organi*ation", "organiation", True),
        ("organi*ation", "organizations", False),
        ("#acm*", "#AcmeCorp", True),
        ("#acm*", "acmecorp", False),
        ('"acme rock*"', "acme rockets", True),
        ('"acme rock*"', "rockets acme", False),
        # case-sensitive
        ("{Apple}", "Apple launches", True),
        ("{Apple}", "apple pie", False),
        ("{Apple}", "APPLE", False),
        ("{Apple} pie", "Apple pie", True),
        ("{Apple Inc}", "Apple Inc said", True),
        ("{Apple Inc}", "apple inc said", False),
        ("{App*}", "AppStore", True),
        ("{App*}", "appstore", False),
        # proximity
        ("acme NEAR/2 rocket", "acme builds a rocket", True),
        ("acme NEAR/2 rocket", "acme builds a big rocket", False),
        ("acme NEAR/2 rocket", "rocket made by acme", True),
        ("acme NEAR/0 rocket", "acme rocket", True),
        ("acme NEAR/0 rocket", "rocket acme", True),
        ("acme NEAR/0 rocket", "acme x rocket", False),
        ("acme NEAR/3f rocket", "rocket made by acme", False),
        ("acme NEAR/3f rocket", "acme made the rocket", True),
        ('"acme corp" NEAR/1 rocket', "acme corp new rocket", True),
        ('"acme corp" NEAR/1 rocket', "rocket x acme corp", True),
        ('"acme corp" NEAR/1 rocket', "acme x corp rocket", False),
        ("(acme OR globex) NEAR/1 rocket", "globex big rocket", True),
        ("(acme OR globex) NEAR/1 rocket", "globex very big rocket", False),
        ("(acme NOT spam) NEAR/1 rocket", "acme rocket", True),
        ("(acme NOT spam) NEAR/1 rocket", "acme rocket spam", False),
        ("(acme NEAR/1 rocket) NEAR/2 launch", "acme rocket will launch", True),
        ("(acme NEAR/1 rocket) NEAR/2 launch", "launch of the rocket by acme", True),
        ("(acme NEAR/1 rocket) NEAR/2 launch", "acme rocket will not ever launch", False),
        ("(acme NEAR/1f rocket) NEAR/0f launch", "acme rocket launch", True),
        ("(acme NEAR/1f rocket) NEAR/0f launch", "launch acme rocket", False),
        ("acme NEAR/2 acme", "acme", False),
        ("acme NEAR/2 acme", "acme and acme", True),
    ],
)
def test_text_matching(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_title_and_text_scopes() -> None:
    p = post("the rocket flew", title="Acme news")
    assert matches("acme rocket", p)
    assert matches("title:acme", p)
    assert not matches("text:acme", p)
    assert matches("text:rocket", p)
    assert not matches("title:rocket", p)
    assert matches('title:"acme news" text:(rocket OR anvil)', p)
    assert not matches("title:(acme rocket)", p)
    assert matches("title:(acme NOT rocket)", p)


def test_phrases_and_near_do_not_cross_from_title_to_body() -> None:
    p = post("news today", title="Acme")
    assert not matches('"acme news"', p)
    assert not matches("acme NEAR/0 news", p)
    assert matches("title:acme NEAR/5 acme OR news", p)  # OR binds loosest


def test_lang_platform_author() -> None:
    p = post("x", language="en-GB", platform="Reddit", author_handle="@Bob")
    assert matches("x lang:en", p)
    assert matches("x lang:EN-gb", p)
    assert not matches("x lang:de", p)
    assert not matches("x lang:e", p)
    assert matches("x platform:reddit", p)
    assert not matches("x platform:mastodon", p)
    assert matches("x author:bob", p) and matches("x author:@BOB", p)
    assert not matches("x author:bobby", p)
    assert not matches("x lang:en", post("x"))  # unknown language


def test_site_and_url() -> None:
    p = post("x", url="https://news.acme.com/a/1", links=["http://example.org/Path?q=1"])
    assert matches("x site:acme.com", p)
    assert matches("x site:news.acme.com", p)
    assert matches("x site:example.org", p)
    assert not matches("x site:cme.com", p)
    assert not matches("x site:other.acme.com", p)
    assert matches("x url:/path?q", p)
    assert matches("x url:news.acme", p)
    assert not matches("x url:nothere", p)
    assert not matches("x site:acme.com", post("x", links=["not a url ::"]))


@pytest.mark.parametrize(
    ("query", "followers", "expected"),
    [
        ("followers>100", 101, True),
        ("followers>100", 100, False),
        ("followers>=100", 100, True),
        ("followers<100", 99, True),
        ("followers<100", 100, False),
        ("followers<=100", 100, True),
        ("followers:100", 100, True),
        ("followers<100", None, False),
    ],
)
def test_followers(query: str, followers: int | None, expected: bool) -> None:
    assert matches(query, post("x", author_followers=followers)) is expected


def test_sentiment_and_intent() -> None:
    neg = post("x", enrichments={"sentiment": {"label": "Negative", "score": -0.5}})
    assert matches("sentiment:negative", neg)
    assert not matches("sentiment:positive", neg)
    assert not matches("sentiment:negative", post("x"))
    as_dicts = post("x", enrichments={"intent": [{"label": "complaint", "score": 0.9}]})
    as_strs = post("x", enrichments={"intent": ["purchase", "Question"]})
    assert matches("intent:complaint", as_dicts)
    assert matches("intent:question", as_strs)
    assert not matches("intent:complaint", as_strs)
    assert not matches("intent:complaint", post("x"))


def test_has_and_is() -> None:
    assert matches("has:link", post("x", links=["https://a.com"]))
    assert matches("has:link", post("see https://a.com"))
    assert not matches("has:link", post("no links"))
    assert matches("has:media", post("x", links=["https://a.com/cat.JPG?size=2"]))
    assert matches("has:media", post("x", links=["https://i.redd.it/abc"]))
    assert matches("has:media", post("x", links=["https://www.youtube.com/watch?v=1"]))
    assert matches("has:media", post("x", enrichments={"media": [{"type": "image"}]}))
    assert matches("has:media", post("x", raw={"media": ["a"]}))
    assert not matches("has:media", post("x", links=["https://a.com/page.html"]))
    assert matches("is:reply", post("x", reply_to="abc"))
    assert not matches("is:reply", post("x"))
    assert matches("is:repost", post("x", enrichments={"repost": True}))
    assert matches("is:repost", post("x", raw={"reblog": {"id": 1}}))
    assert matches("is:repost", post("RT @acme: hello"))
    assert not matches("is:repost", post("x", raw={"reblog": None}))


def test_filters_combine_with_text() -> None:
    p = post("acme rocket", platform="reddit", language="de")
    assert matches("platform:reddit AND lang:de", p)
    assert matches("acme NOT lang:en", p)
    assert not matches("acme NOT platform:reddit", p)


def test_explain_hits_for_highlighting() -> None:
    p = post("I love #Acme rockets", title="Acme")
    explanation = compile_query(parse("acme rocket* NOT spam")).explain(p)
    assert explanation.matched and explanation.reason is None
    assert [(h.part, p_text(p, h.part)[h.start : h.end]) for h in explanation.hits] == [
        ("title", "Acme"),
        ("text", "Acme"),
        ("text", "rockets"),
    ]


def p_text(p: Post, part: str) -> str:
    return (p.title or "") if part == "title" else p.text


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("acme rocket", "required rocket not found"),
        ("acme NOT love", "excluded love matched"),
        ("acme (rocket OR anvil)", "none of the alternatives matched: rocket OR anvil"),
        ("acme lang:de", "filter lang:de did not match"),
        ("acme NEAR/0f love", "acme NEAR/0f love did not match"),
        ("title:love", "required love not found in the title"),
    ],
)
def test_explain_reason_for_a_miss(query: str, reason: str) -> None:
    explanation = compile_query(parse(query)).explain(post("I love #Acme", title="News"))
    assert not explanation.matched
    assert explanation.reason == reason
