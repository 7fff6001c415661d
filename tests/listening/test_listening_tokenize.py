"""Tokenization and the search_text contract."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from hubbub.listening.tokenize import index_text, key_positions, tokenize

# What FTS5 unicode61 (tokenchars '#@_') keeps inside one token: letters, digits, # @ _.
TOKEN_CHARS = re.compile(r"^[\w#@]+$")


def keys(text: str) -> list[str]:
    return [t.key for t in tokenize(text)]


def test_words_are_folded_for_case_and_accents() -> None:
    assert keys("Café DÉJÀ Straße naïve") == ["cafe", "deja", "strasse", "naive"]


def test_punctuation_and_apostrophes_split_words() -> None:
    assert keys("Acme's rocket—great!!! (really?)") == ["acme", "s", "rocket", "great", "really"]


def test_hashtag_and_mention_emit_both_forms_at_one_position() -> None:
    toks = tokenize("love #Acme and @Bob_X")
    assert [(t.key, t.position) for t in toks] == [
        ("love", 0),
        ("#acme", 1),
        ("acme", 1),
        ("and", 2),
        ("@bob_x", 3),
        ("bob_x", 3),
    ]


def test_email_is_not_a_mention() -> None:
    assert keys("mail a@acme.com") == ["mail", "a", "acme", "com"]


def test_url_yields_host_and_path_words_without_scheme() -> None:
    assert keys("see https://www.acme.com/Products/rocket-x?id=3.") == [
        "see",
        "acme",
        "com",
        "products",
        "rocket",
        "x",
        "id",
        "3",
    ]


def test_emoji_are_encoded_tokens_and_modifiers_dropped() -> None:
    assert keys("great 👍🏽😀") == ["great", "_u1f44d", "_u1f600"]


def test_cjk_and_thai_are_one_token_per_character() -> None:
    assert keys("東京都に") == ["東", "京", "都", "に"]
    assert keys("ไทย") == ["ไ", "ท", "ย"]


def test_offsets_point_into_the_original_text() -> None:
    text = "Hi #Acme, café!"
    for tok in tokenize(text):
        assert text[tok.start : tok.end].casefold().replace("é", "e").lstrip("#") == tok.key.lstrip(
            "#"
        )


def test_cased_form_keeps_case() -> None:
    assert [t.cased for t in tokenize("Apple apple")] == ["Apple", "apple"]


def test_index_text_title_first_with_cjk_bigrams() -> None:
    assert index_text("東京 rocks", "Acme") == "acme 東 京 東京 rocks"


def test_index_text_of_nothing_is_empty() -> None:
    assert index_text("") == ""
    assert index_text("!!! ...", None) == ""


@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=50)))
def test_index_text_is_fts_and_tsvector_safe(text: str, title: str | None) -> None:
    stored = index_text(text, title)
    assert stored == stored.strip()
    assert "  " not in stored
    for token in stored.split(" ") if stored else []:
        assert TOKEN_CHARS.match(token), token
        assert token == token.lower()


@given(
    st.text(max_size=200)
    | st.sampled_from(["HTTPS://WWW.ACME.COM/X #Tag @Bob", "Www.Acme.com é #Çà"])
)
def test_fast_key_positions_agree_with_tokenize(text: str) -> None:
    grouped: dict[str, list[int]] = {}
    for tok in tokenize(text):
        grouped.setdefault(tok.key, []).append(tok.position)
    assert key_positions(text) == grouped
