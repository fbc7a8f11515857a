"""Word vectors on disk without pickle: safetensors arrays plus a JSON sidecar.

fasttext.safetensors holds `vectors_vocab` (V, d), the whole-word vectors gensim trains, and
`vectors_ngrams` (bucket, d), one vector per n-gram hash bucket; the sidecar holds the
vocabulary in index order, min_n, max_n, bucket and vector_size. That is all gensim needs to
rebuild a FastText lookup that gives the same vectors for unknown words (misspellings) as the
model that was trained. word2vec.safetensors holds `vectors` (V, d) only: no unknown words.

Both files also hold `hair_colour_vectors` (12, d) and `eye_colour_vectors` (11, d), what the
`fasttext` condition encoder reads without gensim (see `colour_vectors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from hw3.bounds import is_int
from hw3.errors import InputError
from hw3.tags import EYE_COLOURS, HAIR_COLOURS
from hw3.files import write_json_atomic
from hw3.weights import check_recorded_sha256, file_sha256, read_sidecar, save_tensors, sidecar_path

REPO_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the hw3 package
DEFAULT_FASTTEXT_PATH = REPO_ROOT / "weights" / "word_vectors" / "fasttext.safetensors"
COLOUR_VECTOR_KEYS = {"hair": "hair_colour_vectors", "eyes": "eye_colour_vectors"}
TRAIN_COMMAND = "hw3 text train --data data/anime --out weights/word_vectors --seed 0"


def colour_vectors(vectors) -> dict[str, torch.Tensor]:
    """Per attribute, its colours' word vectors standardised per dimension over those colours.

    A row stands for the phrase 'blue hair'. Taken as the mean of its two words it would differ
    from the colour word alone only by the 'hair' vector shared by all 12 rows and a factor 1/2,
    both removed here, so the colour word alone is used. Standardising matters: every colour sits
    in the same tag lines, so the raw vectors share a large common part (pairwise cosines near
    0.4); what tells colours apart is the rest, and unit variance gives the learned projection
    inputs of the size one-hot inputs have.
    """
    tables = {}
    for attribute, colours in (("hair", HAIR_COLOURS), ("eyes", EYE_COLOURS)):
        rows = np.stack([vectors.get_vector(colour) for colour in colours]).astype(np.float64)  # (K, d)
        centred = rows - rows.mean(axis=0)
        standardised = centred / np.maximum(centred.std(axis=0), 1e-8)
        tables[COLOUR_VECTOR_KEYS[attribute]] = torch.from_numpy(standardised.astype(np.float32))
    return tables


def save_word_vectors(vectors, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write gensim KeyedVectors (FastText or Word2Vec) and a sidecar with `metadata` added."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    is_fasttext = hasattr(vectors, "vectors_ngrams")
    if is_fasttext:
        arrays = {"vectors_vocab": vectors.vectors_vocab, "vectors_ngrams": vectors.vectors_ngrams}
        shape = {"min_n": vectors.min_n, "max_n": vectors.max_n, "bucket": vectors.bucket}
    else:
        arrays, shape = {"vectors": vectors.vectors}, {}
    tensors = {name: torch.from_numpy(np.asarray(array, dtype=np.float32)) for name, array in arrays.items()}
    tensors.update(colour_vectors(vectors))
    save_tensors(tensors, path)
    write_json_atomic(sidecar_path(path), {
        **metadata,
        "kind": "fasttext" if is_fasttext else "word2vec",
        "vector_size": vectors.vector_size,
        **shape,
        "vocabulary": list(vectors.index_to_key),
        "colour_vector_keys": COLOUR_VECTOR_KEYS,
        "sha256": file_sha256(path),
    })
    return path


# What each kind of file holds: its arrays, and the sizes its sidecar records.
ARRAYS = {"fasttext": ("vectors_vocab", "vectors_ngrams"), "word2vec": ("vectors",)}
SIZES = {"fasttext": ("vector_size", "min_n", "max_n", "bucket"), "word2vec": ("vector_size",)}


def load_word_vectors(path: str | Path):
    """gensim KeyedVectors from a file `save_word_vectors` wrote (FastTextKeyedVectors for FastText)."""
    path = _existing(path)
    meta = _vectors_sidecar(path)
    check_recorded_sha256(path, meta, sidecar_path(path))
    from safetensors.numpy import load_file

    from hw3.text.training import import_gensim_models

    models = import_gensim_models()
    arrays = _checked_arrays(path, meta, load_file(str(path)))
    vocabulary = meta["vocabulary"]
    if meta["kind"] == "word2vec":
        vectors = models.KeyedVectors(meta["vector_size"])
        vectors.add_vectors(vocabulary, arrays["vectors"])
        return vectors
    vectors = models.fasttext.FastTextKeyedVectors(meta["vector_size"], meta["min_n"], meta["max_n"], meta["bucket"])
    vectors.index_to_key = list(vocabulary)
    vectors.key_to_index = {word: index for index, word in enumerate(vocabulary)}
    vectors.vectors_vocab = arrays["vectors_vocab"]
    vectors.vectors_ngrams = arrays["vectors_ngrams"]
    vectors.recalc_char_ngram_buckets()  # each word's n-gram buckets, from gensim's hash
    vectors.adjust_vectors()  # word vector = mean of its whole-word and n-gram vectors
    return vectors


def _vectors_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar of a word-vectors file, once it is known to describe one."""
    meta = read_sidecar(path)
    kind = meta.get("kind")
    if kind not in ARRAYS:
        raise InputError(f"{sidecar_path(path)}: kind {str(kind)[:40]!r} is no word-vectors kind "
                         f"(expected fasttext or word2vec: a file `{TRAIN_COMMAND}` writes)")
    vocabulary = meta.get("vocabulary")
    sizes = [meta.get(key) for key in SIZES[kind]]
    if not (isinstance(vocabulary, list) and vocabulary and all(isinstance(word, str) for word in vocabulary)
            and all(is_int(size) and size > 0 for size in sizes)):
        raise InputError(f"{sidecar_path(path)}: no vocabulary list or no positive {', '.join(SIZES[kind])} "
                         f"(expected the sidecar `{TRAIN_COMMAND}` writes)")
    return meta


def _checked_arrays(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    kind, width, words = meta["kind"], meta["vector_size"], len(meta["vocabulary"])
    rows = {"vectors_vocab": words, "vectors": words, "vectors_ngrams": meta.get("bucket")}
    for name in ARRAYS[kind]:
        shape = arrays[name].shape if name in arrays else None
        if shape != (rows[name], width):
            raise InputError(f"{path}: {name} has shape {shape} (expected ({rows[name]}, {width}), "
                             f"as {sidecar_path(path).name} records)")
    return arrays


def read_colour_vectors(path: str | Path = DEFAULT_FASTTEXT_PATH) -> tuple[torch.Tensor, torch.Tensor]:
    """(hair (12, d), eyes (11, d)) colour vectors from a word-vectors file; needs no gensim."""
    from safetensors import safe_open

    path = _existing(path)
    with safe_open(str(path), framework="pt") as tensors:
        missing = [key for key in COLOUR_VECTOR_KEYS.values() if key not in tensors.keys()]
        if missing:
            raise InputError(f"{path}: no {missing[0]} (expected a file written by `hw3 text train`)")
        hair, eyes = (tensors.get_tensor(COLOUR_VECTOR_KEYS[attribute]) for attribute in ("hair", "eyes"))
    if hair.shape[0] != len(HAIR_COLOURS) or eyes.shape[0] != len(EYE_COLOURS) or hair.shape[1:] != eyes.shape[1:]:
        raise InputError(f"{path}: colour vectors of shapes {tuple(hair.shape)} and {tuple(eyes.shape)} "
                         f"(expected ({len(HAIR_COLOURS)}, d) and ({len(EYE_COLOURS)}, d))")
    return hair, eyes


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: word vectors not found (expected the file `{TRAIN_COMMAND}` writes)")
    return path
