"""Train word vectors on tag sentences with gensim: FastText (subword n-grams) or Word2Vec.

Deterministic for a seed: one worker thread, gensim's seeded initialisation, and FastText's
n-gram hash (Facebook's FNV-1a of the bytes, not Python's salted `hash`); two processes with
different PYTHONHASHSEED values wrote identical arrays. gensim is imported inside the
function, so the rest of hw3 runs where it is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hw3.errors import InputError

KINDS = ("fasttext", "word2vec")


@dataclass(frozen=True)
class WordVectorSettings:
    kind: str = "fasttext"  # one of KINDS
    seed: int = 0
    vector_size: int = 32  # 23 colours and ~50 words need few dimensions
    window: int = 5  # a colour word sees its attribute word and the next tag or two
    epochs: int = 5
    min_n: int = 2  # FastText n-gram lengths: 2 lets 'blak' meet 'black' through '<b', 'bl', 'la'
    max_n: int = 4
    bucket: int = 20_000  # n-gram hash buckets: few collisions for the ~550 n-grams, 2.6 MB at d=32

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError(f"word vectors: unknown kind '{self.kind}' (expected one of: {', '.join(KINDS)})")


def train_word_vectors(corpus: list[list[str]], kind: str = "fasttext", seed: int = 0,
                       vector_size: int = 32, **options: Any):
    """gensim KeyedVectors trained on `corpus`; `options` are further WordVectorSettings fields."""
    settings = WordVectorSettings(kind=kind, seed=seed, vector_size=vector_size, **options)
    models = import_gensim_models()

    common = dict(
        sentences=corpus, vector_size=settings.vector_size, window=settings.window, epochs=settings.epochs,
        seed=settings.seed, workers=1,  # several workers interleave updates in a varying order
        min_count=1,  # every tag word is meaningful and the vocabulary is tiny
        sg=1,  # skip-gram: on this corpus CBOW sent 'purpel' to pink and 'orang' to aqua
    )
    if settings.kind == "word2vec":
        return models.Word2Vec(**common).wv
    model = models.FastText(min_n=settings.min_n, max_n=settings.max_n, bucket=settings.bucket, **common)
    scale_unused_buckets(model.wv)
    return model.wv


def import_gensim_models():
    """`gensim.models`, imported on first use: gensim is an optional dependency (`.[text]`)."""
    try:
        import gensim.models
        import gensim.models.fasttext
    except ImportError:
        raise InputError("word vectors need gensim (expected it installed: pip install -e '.[text]')") from None
    return gensim.models


def scale_unused_buckets(vectors) -> None:
    """In place: give n-gram buckets no training word hashes into the median trained norm.

    FastText leaves them at their initial size (norm 0.10 against a median 1.84 for the ~550
    trained ones), so an unknown word's vector is little more than its one or two n-grams that
    training words also have: 'wavy' came out at cosine 0.81 from 'white' (0.25 after this), and
    'pretty' at 0.71 from 'golden' (0.43). At equal size the unseen n-grams count as evidence
    against a match; their seeded random directions are kept.
    """
    used = np.zeros(vectors.bucket, dtype=bool)
    for word_buckets in vectors.buckets_word:
        used[word_buckets] = True
    target_norm = np.median(np.linalg.norm(vectors.vectors_ngrams[used], axis=1))
    unused = vectors.vectors_ngrams[~used]  # (bucket - used, d)
    vectors.vectors_ngrams[~used] = unused * (target_norm / np.linalg.norm(unused, axis=1, keepdims=True))
    vectors.adjust_vectors()  # vocabulary words use only used buckets; recomputed for safety
