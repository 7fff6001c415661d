import json
import random

import pytest

from hubbub.enrich.dedup import DedupEnricher, band_count
from hubbub.enrich.key_index import MISSING, KeyIndex
from hubbub.post import Post

RELEASE = (
    "Northwind Energy today announced the opening of its largest solar manufacturing plant "
    "in Europe, located outside Valencia, Spain. The facility will produce enough panels each "
    "year to power more than four hundred thousand homes and will employ around 1,200 people "
    "when it reaches full capacity in the second half of next year. Construction began eighteen "
    "months ago and was completed ahead of schedule and under budget, the company said. "
    '"This plant is a milestone for our company and for clean energy in Europe," said Maria '
    'Lopez, chief executive of Northwind Energy. "We are proud to bring high quality jobs to '
    'the region and to help our customers cut their emissions." The plant uses a new cell '
    "design developed at the company's research centre in Lyon, which converts a larger share "
    "of sunlight into electricity than previous generations while using less silver. Northwind "
    "said it expects the new line to lower the cost of its panels by about fifteen percent. "
    "The company also confirmed plans to open a recycling facility on the same site, where old "
    "panels will be taken apart and their glass, aluminium and silicon recovered for reuse. "
    "Local officials welcomed the investment, noting that the region has struggled with high "
    "unemployment since the closure of several factories a decade ago."
)

INTROS = [
    "",
    "Press release:",
    "BREAKING -",
    "From our newsroom:",
    "Via PR Newswire --",
    "Read the full announcement below.",
    "Energy news today.",
    "Spotted this on the wire:",
    "Company announcement.",
    "Industry update:",
]
FOOTERS = [
    "",
    "About Northwind Energy: Northwind builds solar panels. Media contact: press@northwind.example",
    "Follow us on social media for more updates.",
    "This article was syndicated automatically. All rights reserved.",
    "Subscribe to our newsletter for the latest energy news.",
    "Source: company statement.",
]


def repost(rng: random.Random, i: int) -> str:
    """The release with a different intro, a tracking link, a footer and small edits."""
    text = RELEASE
    if i % 3 == 1:
        text = text.replace("four hundred thousand", "400,000")
    if i % 4 == 2:
        text = text.replace("the company said", "according to the company")
    if i % 5 == 3:
        text = text.upper()
    link = f"https://news.example/{i}?utm_source=feed&utm_campaign={rng.randrange(10**6)}"
    return f"{rng.choice(INTROS)} {text} Read more: {link} {rng.choice(FOOTERS)}"


SAME_TOPIC = [
    "Northwind Energy's new Valencia plant is impressive but I wonder how long those 1,200 jobs "
    "will last once the subsidies run out. Solar manufacturing in Europe has a rough history.",
    "Analysts say Northwind Energy will face stiff competition from Asian solar panel makers, "
    "whose costs remain far lower despite the new plant in Spain announced this week.",
    "Visited the Northwind Energy open day near Valencia, huge site, friendly people, and they "
    "showed us how panels get recycled. Worth a trip if you're into clean energy.",
    "Northwind Energy shares rose four percent on Tuesday after the company opened its solar "
    "factory in Spain and said panel costs would fall by about fifteen percent.",
]


def posts(texts: list[str], platform: str = "rss", start: int = 0) -> list[Post]:
    return [Post(platform, str(start + i), text) for i, text in enumerate(texts)]


def test_twenty_edited_reposts_form_one_cluster_and_same_topic_posts_do_not() -> None:
    rng = random.Random(7)
    reposts = [repost(rng, i) for i in range(20)]
    batch = posts(reposts + SAME_TOPIC)
    results = DedupEnricher(threshold=0.8).enrich(batch)

    first = results[0]
    assert first["duplicate_of"] is None
    assert {r["cluster"] for r in results[:20]} == {first["cluster"]}
    assert all(r["duplicate_of"] == "rss:0" for r in results[1:20])
    assert all(r["similarity"] >= 0.8 for r in results[1:20])
    for r in results[20:]:
        assert r["duplicate_of"] is None
        assert r["cluster"] != first["cluster"]
    assert len({r["cluster"] for r in results[20:]}) == len(SAME_TOPIC)


def test_reposts_across_batches_join_the_first_cluster() -> None:
    rng = random.Random(11)
    dedup = DedupEnricher()
    first = dedup.enrich(posts([repost(rng, 0)]))[0]
    later = dedup.enrich(posts([repost(rng, i) for i in range(1, 6)], start=1))
    assert [r["cluster"] for r in later] == [first["cluster"]] * 5
    assert all(r["duplicate_of"] == "rss:0" for r in later)


def test_exact_duplicates_ignore_case_whitespace_punctuation_and_urls() -> None:
    texts = [
        "Our new app is out today, download it now and tell us what you think",
        "our new app is out today!!  Download it now... and tell us what you think https://t.co/x1",
        "OUR NEW APP IS OUT TODAY download it now and tell us what you think",
        "Short one",
        "short ONE!",
        "Short two",
    ]
    results = DedupEnricher().enrich(posts(texts, platform="x"))
    assert results[0]["exact"] is False and results[0]["duplicate_of"] is None
    for r in results[1:3]:
        assert r["exact"] is True
        assert r["similarity"] == 1.0
        assert r["duplicate_of"] == "x:0"
        assert r["cluster"] == results[0]["cluster"]
    # short texts get exact detection only
    assert results[4]["exact"] is True and results[4]["duplicate_of"] == "x:3"
    assert results[3]["signature"] is None
    assert results[5]["duplicate_of"] is None
    assert results[5]["cluster"] != results[3]["cluster"]


def test_short_texts_are_not_near_duplicates() -> None:
    results = DedupEnricher(threshold=0.5).enrich(
        posts(["great product love it", "great product love"])
    )
    assert results[1]["duplicate_of"] is None


def test_cluster_id_is_the_first_members_key_and_stable_across_instances() -> None:
    rng = random.Random(3)
    text = repost(rng, 0)
    a = DedupEnricher().enrich(posts([text]))[0]
    b = DedupEnricher().enrich(posts([text]))[0]
    assert a["cluster"] == a["key"] == b["cluster"]
    assert a["signature"] == b["signature"]


def test_restore_after_restart_still_finds_duplicates() -> None:
    rng = random.Random(5)
    before = DedupEnricher()
    old_posts = posts([repost(rng, 0), *SAME_TOPIC, "Exactly this short post"])
    old_results = before.enrich(old_posts)
    # results go through the store as JSON
    stored = [json.loads(json.dumps(r)) for r in old_results]

    after = DedupEnricher()
    after.restore(zip(old_posts, stored, strict=True))
    new = after.enrich(
        posts(
            [
                repost(rng, 1),
                "exactly THIS short post!",
                "Something else entirely, nothing like the rest",
            ],
            start=100,
        )
    )
    assert new[0]["duplicate_of"] == "rss:0"
    assert new[0]["cluster"] == old_results[0]["cluster"]
    assert new[1]["exact"] is True and new[1]["duplicate_of"] == f"rss:{len(old_posts) - 1}"
    assert new[2]["duplicate_of"] is None


def test_restore_keeps_clusters_whose_first_member_is_gone() -> None:
    rng = random.Random(9)
    before = DedupEnricher()
    batch = posts([repost(rng, i) for i in range(3)])
    results = before.enrich(batch)
    after = DedupEnricher()
    # only the later members are in the history: the cluster and first member survive in their results
    after.restore(zip(batch[1:], results[1:], strict=True))
    new = after.enrich(posts([repost(rng, 3)], start=50))[0]
    assert new["cluster"] == results[0]["cluster"]
    assert new["duplicate_of"] == "rss:0"


def test_restore_recomputes_unreadable_results_from_text() -> None:
    text = "A perfectly ordinary post about the weather in the city today"
    after = DedupEnricher()
    after.restore([(Post("x", "1", text), {"cluster": "old-format"})])
    result = after.enrich(posts([text], platform="x", start=2))[0]
    assert result["duplicate_of"] == "x:1"


def test_same_post_enriched_twice_is_not_its_own_duplicate() -> None:
    dedup = DedupEnricher()
    post = Post("x", "1", "Hello there, this is a post that gets enriched twice")
    first = dedup.enrich([post])[0]
    again = dedup.enrich([post])[0]
    assert again["duplicate_of"] is None
    assert again["cluster"] == first["cluster"]


def test_index_is_bounded_and_evicts_oldest() -> None:
    dedup = DedupEnricher(max_posts=10)
    texts = [f"unique post number {i} with a few more words in it" for i in range(30)]
    dedup.enrich(posts(texts))
    # post 0 was evicted long ago; post 25 is still indexed
    again = dedup.enrich(posts([texts[0], texts[25]], start=100))
    assert again[0]["duplicate_of"] is None
    assert again[1]["duplicate_of"] == "rss:25"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\ud800",
        "🔥🔥🔥",
        "😀 " * 1000,
        "x" * 1_000_000,
        "word " * 200_000,
        "#hashtag @someone https://t.co/a",
    ],
)
def test_odd_inputs_never_raise(text: str) -> None:
    results = DedupEnricher().enrich([Post("x", "1", text), Post("x", "2", text)])
    json.dumps(results)
    assert len(results) == 2
    assert all(isinstance(r["cluster"], str) for r in results)


def test_band_count_reaches_recall_at_threshold() -> None:
    for threshold in (0.5, 0.7, 0.8, 0.9):
        bands = band_count(threshold)
        assert 1 - (1 - threshold**4) ** bands >= 0.995 or bands == 32


def test_key_index_returns_latest_and_forgets_stale_entries() -> None:
    index = KeyIndex(merge_at=4)
    for seq in range(10):
        index.add(seq % 3, seq)  # keys 0, 1, 2 over and over; merges several times
    assert index.get_many([0, 1, 2, 99]) == [9, 7, 8, MISSING]
    index.min_seq = 9
    assert index.get_many([0, 1]) == [9, MISSING]


def test_key_index_prunes_evicted_entries_when_merging() -> None:
    index = KeyIndex(merge_at=100)
    for seq in range(10_000):
        index.min_seq = max(0, seq - 499)  # a window of 500, as the enricher keeps
        index.add(seq * 7919, seq)
    assert len(index) < 1_000
    assert index.get(9_999 * 7919) == 9_999
    assert index.get(9_000 * 7919) == MISSING
