"""QueryIndex: the candidate pre-filter never changes the answer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.listening.ast import Node
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import QueryIndex, compile_query, required
from hubbub.listening.parser import parse
from hubbub.post import Post


def post(text: str, **fields: object) -> Post:
    return Post(
        platform=str(fields.pop("platform", "reddit")), external_id="1", text=text, **fields
    )  # type: ignore[arg-type]


def test_match_returns_ids_in_insertion_order() -> None:
    index = QueryIndex()
    index.add("b", parse("rocket"))
    index.add("a", parse("acme OR globex"))
    index.add("c", parse("platform:reddit"))
    index.add("d", parse("initech"))
    assert index.match(post("acme rocket")) == ["b", "a", "c"]
    assert len(index) == 4 and "d" in index


def test_remove_and_replace() -> None:
    index = QueryIndex()
    index.add(1, parse("acme*"))
    index.add(2, parse("lang:en"))
    assert index.match(post("acmecorp", language="en")) == [1, 2]
    index.remove(1)
    index.remove(2)
    index.remove(3)  # unknown: ignored
    assert index.match(post("acmecorp", language="en")) == []
    index.add(1, parse("acme"))
    index.add(1, parse("globex"))  # replaces
    assert index.match(post("acme")) == []
    assert index.match(post("globex")) == [1]


def test_required_tokens() -> None:
    r = required(parse('(acme OR "globex corp") rocket* NOT spam'))
    assert r is not None
    # the OR group costs two keys, the wildcard one prefix (weighted 2); on a tie the longer key wins
    assert (r.keys, r.prefixes) == (frozenset(), frozenset({"rocket"}))
    r = required(parse('(acme OR "globex corp") NOT spam'))
    assert r is not None and r.keys == {"acme", "globex"}
    assert required(parse("platform:reddit lang:de")) is None
    assert required(parse("acme OR lang:de")) is None
    assert required(parse("{Apple}")) == required(parse("apple"))


WORDS = ["acme", "globex", "rocket", "anvil", "spam", "東京", "😀", "café"]
QUERY_PARTS = st.sampled_from(
    [
        *WORDS,
        "#acme",
        "@acme",
        "acm*",
        "roc?et",
        "{Acme}",
        '"acme rocket"',
        "lang:en",
        "platform:reddit",
        "NOT spam",
        "title:acme",
        "text:rocket",
        "has:link",
        "followers>10",
    ]
)


@st.composite
def queries(draw: st.DrawFn) -> str:
    parts = draw(st.lists(QUERY_PARTS, min_size=1, max_size=4))
    joins = draw(
        st.lists(
            st.sampled_from([" ", " OR ", " AND ", " NEAR/1 ", " NEAR/2f "]),
            min_size=len(parts),
            max_size=len(parts),
        )
    )
    text = parts[0]
    for join, part in zip(joins[1:], parts[1:], strict=True):
        text += join + part
    return f"({text}) OR anvil" if draw(st.booleans()) else text


POSTS = st.builds(
    lambda words, title, lang, links, followers: post(
        " ".join(words), title=title, language=lang, links=links, author_followers=followers
    ),
    st.lists(
        st.sampled_from([*WORDS, "#Acme", "@ACME", "acmecorp", "rockets", "Acme", "cafe"]),
        max_size=8,
    ),
    st.one_of(st.none(), st.sampled_from(["Acme", "rocket news"])),
    st.sampled_from([None, "en", "de"]),
    st.sampled_from([[], ["https://acme.com"]]),
    st.sampled_from([None, 5, 50]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(queries(), min_size=1, max_size=12), st.lists(POSTS, min_size=1, max_size=5))
def test_index_agrees_with_evaluating_each_query(texts: list[str], posts: list[Post]) -> None:
    nodes: dict[int, Node] = {}
    for i, text in enumerate(texts):
        try:
            nodes[i] = parse(text)
        except QuerySyntaxError:
            continue
    index = QueryIndex()
    for qid, node in nodes.items():
        index.add(qid, node)
    compiled = {qid: compile_query(node) for qid, node in nodes.items()}
    for p in posts:
        expected = [qid for qid in nodes if compiled[qid].matches(p)]
        assert index.match(p) == expected
