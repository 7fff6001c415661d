"""Hashed word and character n-grams with a linear layer on top: the
lexical half of the trained sentiment model (the transformer is the other).

Hashing keeps the artifact a plain array (no vocabulary to ship or pickle);
features are sublinear tf x idf, l2-normalised, as TfidfVectorizer makes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

HASH_BITS = 18


def vectorizers(bits: int = HASH_BITS) -> tuple[HashingVectorizer, HashingVectorizer]:
    common = {"n_features": 2**bits, "alternate_sign": False, "norm": None, "lowercase": True}
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b|[!?]", **common
    )
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common)
    return words, chars


def raw_counts(texts: Sequence[str], bits: int = HASH_BITS) -> sp.csr_matrix:
    """Word and char n-gram counts side by side: (n, 2 * 2**bits)."""
    words, chars = vectorizers(bits)
    return sp.hstack([words.transform(texts), chars.transform(texts)], format="csr")


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = counts.astype(np.float32)
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf[None, :]).tocsr()
    # each half (words, chars) normalised on its own so neither drowns the other
    half = idf.shape[0] // 2
    left = l2_normalize(x[:, :half])
    right = l2_normalize(x[:, half:])
    return sp.hstack([left, right], format="csr")


def fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    n = counts.shape[0]
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


class NgramScorer:
    """Logits of the three labels from texts, given the fitted arrays."""

    def __init__(self, idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.bits = int(np.log2(idf.shape[0] // 2))
        self.idf = idf.astype(np.float32)
        self.coef_t = np.ascontiguousarray(coef.astype(np.float32).T)
        self.intercept = intercept.astype(np.float32)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        x = tfidf(raw_counts(texts, self.bits), self.idf)
        return np.asarray(x @ self.coef_t) + self.intercept
