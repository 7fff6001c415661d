"""Parsing: structure, precedence, and every error with its position."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.listening.ast import And, Filter, Near, Not, Or, Phrase, Scope, Term, to_text
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.parser import parse

T = Term


def test_juxtaposition_is_and() -> None:
    assert parse("acme rocket") == And((T("acme"), T("rocket")))
    assert parse("acme AND rocket") == parse("acme rocket")


def test_precedence_not_near_and_or() -> None:
    assert parse("a OR b c") == Or((T("a"), And((T("b"), T("c")))))
    assert parse("a b NEAR/3 c") == And((T("a"), Near(T("b"), T("c"), 3)))
    assert parse("NOT x a") == And((Not(T("x")), T("a")))
    assert parse("(a OR b) c") == And((Or((T("a"), T("b"))), T("c")))


def test_not_and_and_not_both_negate() -> None:
    assert parse("acme NOT spam") == parse("acme AND NOT spam") == And((T("acme"), Not(T("spam"))))


def test_lowercase_operators_are_terms() -> None:
    assert parse("rock and roll") == And((T("rock"), T("and"), T("roll")))
    assert parse("a or not b") == And((T("a"), T("or"), T("not"), T("b")))


def test_nested_groups_flatten() -> None:
    assert parse("a AND (b AND c)") == And((T("a"), T("b"), T("c")))
    assert parse("a OR (b OR c)") == Or((T("a"), T("b"), T("c")))


def test_phrases_and_words_that_split() -> None:
    assert parse('"Acme rocket"') == Phrase((T("acme"), T("rocket")))
    assert parse("acme.com") == Phrase((T("acme"), T("com")))
    assert parse("東京") == Phrase((T("東"), T("京")))
    assert parse('"solo"') == T("solo")


def test_hashtags_mentions_emoji() -> None:
    assert parse("#Acme @Bob 😀") == And((T("#acme"), T("@bob"), T("_u1f600")))


def test_wildcards() -> None:
    assert parse("acme*") == T("acme*", wildcard=True)
    assert parse("colo?r organi*ation") == And(
        (T("colo?r", wildcard=True), T("organi*ation", wildcard=True))
    )
    assert parse("#acm*") == T("#acm*", wildcard=True)
    assert parse("Café*") == T("cafe*", wildcard=True)


def test_case_sensitive_braces() -> None:
    assert parse("{Apple}") == T("Apple", case_sensitive=True)
    assert parse("{Apple Inc}") == Phrase((T("Apple", True), T("Inc", True)))


def test_near_forms() -> None:
    assert parse("a NEAR/5f b") == Near(T("a"), T("b"), 5, ordered=True)
    assert parse('(a OR b) NEAR/2 "c d"') == Near(Or((T("a"), T("b"))), Phrase((T("c"), T("d"))), 2)
    assert parse("a NEAR/1 b NEAR/2 c") == Near(Near(T("a"), T("b"), 1), T("c"), 2)


def test_filters() -> None:
    q = parse("x lang:EN platform:Reddit author:@Bob site:https://www.Acme.com/ url:acme.com/p")
    assert isinstance(q, And)
    assert q.children[1:] == (
        Filter("lang", ":", "en"),
        Filter("platform", ":", "reddit"),
        Filter("author", ":", "bob"),
        Filter("site", ":", "acme.com"),
        Filter("url", ":", "acme.com/p"),
    )
    assert parse("followers>=1000") == Filter("followers", ">=", "1000")
    assert parse("followers<5") == Filter("followers", "<", "5")
    assert parse(
        "sentiment:negative intent:complaint has:link has:media is:reply is:repost"
    ) == And(
        (
            Filter("sentiment", ":", "negative"),
            Filter("intent", ":", "complaint"),
            Filter("has", ":", "link"),
            Filter("has", ":", "media"),
            Filter("is", ":", "reply"),
            Filter("is", ":", "repost"),
        )
    )


def test_scopes() -> None:
    assert parse("title:acme") == Scope("title", T("acme"))
    assert parse('text:"a b"') == Scope("text", Phrase((T("a"), T("b"))))
    assert parse("title:(a OR b)") == Scope("title", Or((T("a"), T("b"))))


def test_filter_only_query_is_allowed() -> None:
    assert parse("platform:reddit AND lang:de") == And(
        (Filter("platform", ":", "reddit"), Filter("lang", ":", "de"))
    )


@pytest.mark.parametrize(
    "query",
    [
        "acme",
        "a OR b c",
        "NOT x a",
        '"a b" NEAR/3f (c OR d)',
        "title:(a OR NOT b) c",
        "{Apple} acme*",
        "lang:en x",
        "😀 acme",
        "東京 #café",
    ],
)
def test_to_text_round_trips(query: str) -> None:
    node = parse(query)
    assert parse(to_text(node)) == node


# -- errors: message, position, expected --------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "position", "expected"),
    [
        ("", "The query is empty", 0, "a term, a phrase or '('"),
        ("   ", "The query is empty", 0, "a term, a phrase or '('"),
        ("(acme OR rocket", "Expected a closing ')' at position 15", 15, "a closing ')'"),
        ("(a (b)", "Expected a closing ')' at position 6", 6, "a closing ')'"),
        (
            "acme AND",
            "Expected a term, a phrase or '(' after AND at position 8",
            8,
            "a term, a phrase or '('",
        ),
        ("OR acme", "Expected a term, a phrase or '(' at position 0", 0, "a term, a phrase or '('"),
        (
            "acme OR OR b",
            "Expected a term, a phrase or '(' after OR at position 8",
            8,
            "a term, a phrase or '('",
        ),
        (
            "acme NOT",
            "Expected a term, a phrase or '(' after NOT at position 8",
            8,
            "a term, a phrase or '('",
        ),
        (
            "()",
            "Expected a term, a phrase or '(' after '(' at position 1",
            1,
            "a term, a phrase or '('",
        ),
        ("a ) b", "Unexpected ')' at position 2 (no '(' to close)", 2, "an operator or the end"),
        (
            'say "hello',
            "Expected a closing '\"' at position 10 (opened at position 4)",
            10,
            "a closing '\"'",
        ),
        (
            "{Apple",
            "Expected a closing '}' at position 6 (opened at position 0)",
            6,
            "a closing '}'",
        ),
        ("a } b", "Unexpected '}' at position 2", 2, "a term, a phrase or '('"),
        ('""', "Nothing to match inside the quotes at position 0", 0, "letters, digits or emoji"),
        (
            "x !!!",
            "'!!!' at position 2 has no letters, digits or emoji to match",
            2,
            "letters, digits or emoji",
        ),
        (
            "a*",
            "A wildcard needs at least 3 letters or digits before it at position 1",
            1,
            "at least 3 letters or digits",
        ),
        (
            "x *acme",
            "A wildcard needs at least 3 letters or digits before it at position 2",
            2,
            "at least 3 letters or digits",
        ),
        (
            "#ab*",
            "A wildcard needs at least 3 letters or digits before it at position 3",
            3,
            "at least 3 letters or digits",
        ),
        (
            "acme.co*",
            "A wildcard term must be one word of letters and digits at position 0",
            0,
            "letters or digits",
        ),
        (
            "a NEAR/x b",
            "Expected a distance from 0 to 1000 like NEAR/3 or NEAR/3f at position 2",
            2,
            "a distance like NEAR/3 or NEAR/3f",
        ),
        (
            "a NEAR b",
            "Expected a distance from 0 to 1000 like NEAR/3 or NEAR/3f at position 2",
            2,
            "a distance like NEAR/3 or NEAR/3f",
        ),
        (
            "a NEAR/5000 b",
            "Expected a distance from 0 to 1000 like NEAR/3 or NEAR/3f at position 2",
            2,
            "a distance like NEAR/3 or NEAR/3f",
        ),
        (
            "a NEAR/3 NOT b",
            "NEAR/3 needs a term, a phrase or a group of terms on its right (not NOT or a field filter) at position 2",
            2,
            "a term, a phrase or a group",
        ),
        (
            "lang:en NEAR/3 b",
            "NEAR/3 needs a term, a phrase or a group of terms on its left (not NOT or a field filter) at position 8",
            8,
            "a term, a phrase or a group",
        ),
        (
            "NOT spam",
            "The query only excludes (NOT ...); add at least one term or filter to include",
            0,
            "a term to include",
        ),
        (
            "NOT (a OR b) NOT c",
            "The query only excludes (NOT ...); add at least one term or filter to include",
            0,
            "a term to include",
        ),
        (
            "a OR NOT b",
            "The query only excludes (NOT ...); add at least one term or filter to include",
            0,
            "a term to include",
        ),
        ("x lang:", "Expected a value after 'lang:' at position 7", 7, "a value after 'lang:'"),
        (
            "x author:@",
            "Expected a value after 'author:' at position 9",
            9,
            "a value after 'author:'",
        ),
        (
            "has:pictures",
            "Expected has:link or has:media at position 4",
            4,
            "has:link or has:media",
        ),
        ("is:quote", "Expected is:reply or is:repost at position 3", 3, "is:reply or is:repost"),
        (
            "followers>lots",
            "Expected a whole number after 'followers>' at position 10",
            10,
            "a whole number",
        ),
        (
            "title: acme",
            "Expected a term, a phrase or '(' after 'title:' at position 7",
            7,
            "a term, a phrase or '('",
        ),
        (
            "title:lang:en",
            "'title:' can only hold terms, phrases and groups of them at position 0",
            0,
            "a term, a phrase or a group",
        ),
    ],
)
def test_errors(query: str, message: str, position: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    err = info.value
    assert str(err) == message
    assert err.position == position
    assert err.expected == expected
    assert isinstance(err, ValueError)


def test_unknown_field_names_the_known_ones() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("acme langg:en")
    assert info.value.position == 5
    assert str(info.value).startswith("Unknown field 'langg:' at position 5 (known: author:, has:,")


def test_caret_points_at_the_position() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("(acme OR\trocket")
    assert info.value.caret() == "(acme OR rocket\n               ^"


def test_length_limit() -> None:
    with pytest.raises(QuerySyntaxError, match="longer than 4000 characters") as info:
        parse("a" * 4001)
    assert info.value.position == 4000
    parse("abc " * 499)  # under both limits


def test_term_limit() -> None:
    with pytest.raises(QuerySyntaxError, match="more than 500 terms") as info:
        parse(" ".join(f"w{i}" for i in range(501)))
    assert info.value.position == len(" ".join(f"w{i}" for i in range(500))) + 1


def test_depth_limit() -> None:
    assert parse("(" * 32 + "a" + ")" * 32) == T("a")
    with pytest.raises(QuerySyntaxError, match="nested too deeply") as info:
        parse("(" * 33 + "a" + ")" * 33)
    assert info.value.position == 32
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("a " + "NOT " * 40 + "b")


_QUERY_ALPHABET = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "NEAR/2",
        "NEAR/1f",
        "(",
        ")",
        '"',
        "{",
        "}",
        "*",
        "?",
        "#",
        "@",
        ":",
        " ",
        "acme",
        "a",
        "lang:",
        "title:",
        "followers>",
        "3",
        "é",
        "東",
        "😀",
        "\n",
        "has:link",
        "is:",
    ]
)


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=80), st.lists(_QUERY_ALPHABET, max_size=25).map("".join)))
def test_parse_raises_only_query_syntax_error(query: str) -> None:
    try:
        node = parse(query)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(query)
        assert err.caret().count("\n") == 1
    else:
        if query.isascii():  # NFKC can split a non-ASCII char into pieces that re-parse differently
            assert parse(to_text(node)) == node
