"""Word vectors: shipped FastText misspellings, deterministic training, pickle-free storage, free-text
tag lines (decisions and exact errors), the strict default, and the `fasttext` condition encoder."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from hw3.cli import main
from hw3.errors import InputError
from hw3.models import Discriminator, DiscriminatorConfig, FastTextConditionEncoder, Generator, GeneratorConfig
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, TagFileError, read_tag_lines
from hw3.text.colours import decide_colour, resolve_colour
from hw3.text.corpus import read_tag_sentences
from hw3.text.free_text import read_free_text_lines
from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors, read_colour_vectors, save_word_vectors
from hw3.text.training import train_word_vectors
from hw3.files import write_json_atomic
from hw3.weights import file_sha256, read_sidecar, save_module_weights, sidecar_path

HAIR_LIST = ", ".join(HAIR_COLOURS)
EYE_LIST = ", ".join(EYE_COLOURS)
SMALL = dict(vector_size=8, epochs=2, bucket=500)  # a tiny FastText trains in well under a second


@pytest.fixture(scope="module")
def shipped_fasttext():
    return load_word_vectors(DEFAULT_FASTTEXT_PATH)


def small_corpus() -> list[list[str]]:
    """Every (hair, eyes) pair, with a couple of other tags, as tag sentences."""
    return [[hair, "hair", eyes, "eyes", "long" if i % 2 else "short", "hair", "smile"]
            for i, (hair, eyes) in enumerate((h, e) for h in HAIR_COLOURS for e in EYE_COLOURS)]


# ---------------------------------------------------------------- corpus and training

def test_tags_file_lines_become_sentences_of_words(tmp_path):
    path = tmp_path / "tags_full.csv"
    path.write_text("0,brown hair:4558\taqua eyes:1395\tshort hair:11420\n\n1,Blue Hair:3532\tblush:10282\t\n")
    assert read_tag_sentences(path) == [["brown", "hair", "aqua", "eyes", "short", "hair"],
                                        ["blue", "hair", "blush"]]


def test_same_seed_gives_identical_vectors_and_another_seed_does_not():
    corpus = small_corpus()
    first, second = (train_word_vectors(corpus, "fasttext", seed=0, **SMALL) for _ in range(2))
    assert first.index_to_key == second.index_to_key
    assert np.array_equal(first.vectors_vocab, second.vectors_vocab)
    assert np.array_equal(first.vectors_ngrams, second.vectors_ngrams)
    other = train_word_vectors(corpus, "fasttext", seed=1, **SMALL)
    assert not np.array_equal(first.vectors_ngrams, other.vectors_ngrams)
    word2vec = [train_word_vectors(corpus, "word2vec", seed=0, vector_size=8, epochs=2) for _ in range(2)]
    assert np.array_equal(word2vec[0].vectors, word2vec[1].vectors)


def test_buckets_no_training_word_uses_get_the_median_trained_norm():
    vectors = train_word_vectors(small_corpus(), "fasttext", seed=0, **SMALL)
    used = np.zeros(vectors.bucket, dtype=bool)
    for word_buckets in vectors.buckets_word:
        used[word_buckets] = True
    norms = np.linalg.norm(vectors.vectors_ngrams, axis=1)
    assert 0 < used.sum() < vectors.bucket
    np.testing.assert_allclose(norms[~used], np.median(norms[used]), rtol=1e-5)


# ---------------------------------------------------------------- storage

def test_unknown_words_after_loading_equal_gensims_in_memory_vectors(tmp_path):
    trained = train_word_vectors(small_corpus(), "fasttext", seed=0, **SMALL)
    path = save_word_vectors(trained, tmp_path / "fasttext.safetensors", {"seed": 0, "command": "test"})
    loaded = load_word_vectors(path)
    for word in ("blnde", "purpel", "silvr", "xyzzy", "blue", "hair"):  # unknown words, then known ones
        assert np.array_equal(loaded.get_vector(word), trained.get_vector(word)), word
    sidecar = read_sidecar(path)
    assert sidecar["vocabulary"] == trained.index_to_key
    assert {key: sidecar[key] for key in ("kind", "vector_size", "min_n", "max_n", "bucket", "seed", "command")} == {
        "kind": "fasttext", "vector_size": 8, "min_n": 2, "max_n": 4, "bucket": 500, "seed": 0, "command": "test"}
    assert path.read_bytes()[8:9] == b"{"  # safetensors: header length, then a JSON header; no pickle


def test_word2vec_round_trip_and_no_vector_for_a_misspelling(tmp_path):
    trained = train_word_vectors(small_corpus(), "word2vec", seed=0, vector_size=8, epochs=2)
    loaded = load_word_vectors(save_word_vectors(trained, tmp_path / "word2vec.safetensors", {}))
    assert np.array_equal(loaded.vectors, trained.vectors)
    assert resolve_colour("blue", "hair", loaded) == ("blue", 1.0)
    with pytest.raises(KeyError):
        resolve_colour("blnde", "hair", loaded)


def test_a_changed_vectors_file_is_refused(tmp_path):
    path = save_word_vectors(train_word_vectors(small_corpus(), "fasttext", seed=0, **SMALL),
                             tmp_path / "fasttext.safetensors", {})
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="sha256 differs"):
        load_word_vectors(path)


# ---------------------------------------------------------------- shipped vectors: colour resolution

MISSPELLINGS = [  # (word, attribute, colour), all resolved through FastText n-grams
    ("blnde", "hair", "blonde"), ("purpel", "hair", "purple"), ("grean", "eyes", "green"),
    ("silvr", "hair", "gray"), ("silvr", "eyes", "gray"), ("orang", "hair", "orange"),
    ("orang", "eyes", "orange"), ("blak", "hair", "black"), ("yelow", "eyes", "yellow"),
    ("whte", "hair", "white"), ("brwn", "eyes", "brown"), ("pnk", "hair", "pink"),
    ("redd", "eyes", "red"), ("bluee", "hair", "blue"), ("purpl", "eyes", "purple"),
    ("geen", "hair", "green"), ("oragne", "eyes", "orange"), ("golde", "hair", "blonde"),
    ("goldn", "eyes", "yellow"), ("violett", "eyes", "purple"), ("crimsen", "eyes", "red"),
    ("cyann", "eyes", "aqua"), ("aqu", "eyes", "aqua"),
]


@pytest.mark.parametrize("word, attribute, colour", MISSPELLINGS, ids=[f"{w}-{a}" for w, a, _ in MISSPELLINGS])
def test_shipped_fasttext_puts_misspellings_nearest_their_colour(shipped_fasttext, word, attribute, colour):
    assert word not in shipped_fasttext.key_to_index  # a real unknown word, not a training word
    resolved, cosine = resolve_colour(word, attribute, shipped_fasttext)
    assert resolved == colour
    assert 0.72 <= cosine < 1.0
    assert decide_colour(word, attribute, shipped_fasttext).colour == colour  # spelling agrees


@pytest.mark.parametrize("word, attribute, colour", [("Blue", "hair", "blue"), ("grey", "eyes", "gray"),
                                                      ("blond", "hair", "blonde"), ("silver", "hair", "gray")])
def test_colour_names_and_synonyms_resolve_with_cosine_one(shipped_fasttext, word, attribute, colour):
    assert resolve_colour(word, attribute, shipped_fasttext) == (colour, 1.0)


@pytest.mark.parametrize("word", ["curly", "pretty", "wavy", "messy", "hue", "man", "gorgeous", "long", "bangs"])
def test_words_that_name_no_colour_are_refused(shipped_fasttext, word):
    for attribute in ("hair", "eyes"):
        decision = decide_colour(word, attribute, shipped_fasttext)
        assert decision.colour is None and decision.reason in ("too far", "known word")


# ---------------------------------------------------------------- free-text tag lines

def write(tmp_path: Path, text: str, name: str = "tags.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_free_text_lines_and_their_reported_decisions(tmp_path, shipped_fasttext):
    path = write(tmp_path, "3,long blonde hair with green eyes\n\n4,Grey eyes, silver-blue hair?\n"
                           "5,blnde hair and purpel eyes\n6,silvr hair, aqua-green eyes\n")
    decisions: list[str] = []
    lines = read_free_text_lines(path, shipped_fasttext, decisions.append)
    assert [(line.id, line.tags.hair, line.tags.eyes, line.line_number) for line in lines] == [
        (3, "blonde", "green", 1), (4, "blue", "gray", 3), (5, "blonde", "purple", 4), (6, "gray", "green", 5)]
    assert decisions == [
        "line 1: hair 'long blonde' → blonde (name 'blonde')",
        "line 1: eyes 'green' → green (name 'green')",
        "line 3: hair 'silver-blue' → blue (name 'blue')",  # two colour names: the later word
        "line 3: eyes 'grey' → gray (name 'grey')",
        "line 4: hair 'blnde' → blonde ('blnde' ≈ 'blonde': 1 edit, cosine 0.95; next blue: 2 edits, cosine 0.37)",
        "line 4: eyes 'purpel' → purple ('purpel' ≈ 'purple': 1 edit, cosine 0.85; next brown: 4 edits, cosine 0.67)",
        "line 5: hair 'silvr' → gray ('silvr' ≈ 'silver': 1 edit, cosine 0.84; next purple: 4 edits, cosine 0.68)",
        "line 5: eyes 'aqua-green' → green (name 'green')",
    ]


BAD_FREE_TEXT = [
    ("long wavy hair, green eyes", "no hair colour in 'long wavy': nearest is 'wavy' ≈ 'gray' (3 edits, cosine 0.11), "
     f"more than 1.5 edits away (expected one of: {HAIR_LIST}, or a near spelling)"),
    ("gree hair, green eyes", "ambiguous hair colour in 'gree': 'gree' is as near green ('green': 1 edit, cosine 0.90) "
     f"as gray ('grey': 1 edit, cosine 0.74) (expected one of: {HAIR_LIST}, or a near spelling)"),
    ("red hair, " + "g" * 600 + " eyes", f"no eye colour in '{'g' * 57}...': nearest is '{'g' * 57}...' ≈ 'gray' "
     f"(301 edits, cosine -0.06), more than 1.5 edits away (expected one of: {EYE_LIST}, or a near spelling)"),
    ("red hair \x07\x00" + "z" * 500, "no 'eyes' in 'red hair \\x07\\x00zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' "
     "(expected '<colour> eyes', e.g. '3,long blonde hair with green eyes')"),
    ("long hair, blue eyes", f"no hair colour in 'long' (expected one of: {HAIR_LIST}, or a near spelling)"),
    ("blonde hair, blonde eyes", f"no eye colour in 'blonde' (expected one of: {EYE_LIST}, or a near spelling)"),
    ("blue hair", "no 'eyes' in 'blue hair' (expected '<colour> eyes', e.g. '3,long blonde hair with green eyes')"),
    ("hair blue, eyes green",
     "no colour word before 'hair' (expected '<colour> hair', e.g. '3,long blonde hair with green eyes')"),
    ("blue hair, red hair, green eyes", "'blue hair' and 'red hair': two hair colour phrases (expected exactly one)"),
    ("x,blue hair red eyes", "id 'x' is not a non-negative integer (expected e.g. '1,blue hair red eyes')"),
]


@pytest.mark.parametrize("text, message", BAD_FREE_TEXT, ids=[text for text, _ in BAD_FREE_TEXT])
def test_bad_free_text_line_names_file_line_and_what_was_expected(tmp_path, shipped_fasttext, text, message):
    line = text if text.startswith("x,") else f"8,{text}"
    path = write(tmp_path, f"7,blue hair red eyes\n\n{line}\n")
    with pytest.raises(TagFileError) as caught:
        read_free_text_lines(path, shipped_fasttext, lambda decision: None)
    assert str(caught.value) == f"{path}:3: {message}"


def test_strict_reader_still_rejects_free_text_by_default(tmp_path):
    path = write(tmp_path, "3,long blonde hair with green eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:1: expected 'hair' or 'eyes' after 'long', found 'blonde'"


# ---------------------------------------------------------------- `hw3 sample --free-text`

@pytest.fixture(scope="module")
def generator_file(tmp_path_factory) -> Path:
    """A small untrained conditional generator in the shipped-file format (weights + sidecar)."""
    config = GeneratorConfig(ngf=8, condition="onehot")
    path = tmp_path_factory.mktemp("generator") / "cgan.safetensors"
    save_module_weights(Generator(config), path)
    write_json_atomic(sidecar_path(path), {"generator": dataclasses.asdict(config), "sha256": file_sha256(path)})
    return path


def test_sample_free_text_prints_decisions_and_writes_the_grid(tmp_path, generator_file, capsys):
    tags, out = write(tmp_path, "1,blnde hair, grean eyes\n2,Silver hair with red eyes\n"), tmp_path / "grid.png"
    assert main(["sample", "--generator", str(generator_file), "--tags", str(tags), "--out", str(out),
                 "--free-text"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["line 1: hair 'blnde' → blonde ('blnde' ≈ 'blonde': 1 edit, cosine 0.95; next blue: 2 edits, "
                       "cosine 0.37)",
                       "line 1: eyes 'grean' → green ('grean' ≈ 'green': 1 edit, cosine 0.78; next gray: 2 edits, "
                       "cosine 0.70)",
                       "line 2: hair 'silver' → gray (name 'silver')",
                       "line 2: eyes 'red' → red (name 'red')",
                       f"wrote {out}: 2 faces, 1 rows"]
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("free_text, message", [
    (True, "tags.txt:2: no hair colour in 'curly': nearest is 'curly' ≈ 'purple' (3 edits, cosine 0.33), more than "
           f"1.5 edits away (expected one of: {HAIR_LIST}, or a near spelling)"),
    (False, "tags.txt:1: expected 'hair' or 'eyes' after 'long', found 'blonde'"),
])
def test_sample_bad_tags_exit_2_and_leave_the_old_png(tmp_path, generator_file, capsys, free_text, message):
    tags = write(tmp_path, "1,long blonde hair with green eyes\n2,curly hair and blue eyes\n")
    out = tmp_path / "grid.png"
    out.write_bytes(b"earlier grid")
    argv = ["sample", "--generator", str(generator_file), "--tags", str(tags), "--out", str(out)]
    assert main(argv + (["--free-text"] if free_text else [])) == 2
    assert out.read_bytes() == b"earlier grid"
    assert capsys.readouterr().err == f"hw3: error: {tmp_path / message}\n"


# ---------------------------------------------------------------- the `fasttext` condition encoder

def test_fasttext_encoder_shape_fixed_buffers_and_determinism():
    torch.manual_seed(0)
    encoder = FastTextConditionEncoder(embedding_dim=5)
    hair, eyes = torch.tensor([0, 11, 8]), torch.tensor([10, 0, 10])
    output = encoder(hair, eyes)
    assert encoder.output_dim == 10 and output.shape == (3, 10) and output.dtype == torch.float32
    assert torch.equal(output, encoder(hair, eyes))
    hair_vectors, eye_vectors = read_colour_vectors(DEFAULT_FASTTEXT_PATH)
    assert torch.equal(encoder.hair_vectors, hair_vectors) and encoder.hair_vectors.shape == (12, 32)
    assert torch.equal(encoder.eye_vectors, eye_vectors) and encoder.eye_vectors.shape == (11, 32)
    parameters = dict(encoder.named_parameters())
    assert set(parameters) == {"hair_projection.weight", "hair_projection.bias",
                               "eye_projection.weight", "eye_projection.bias"}
    assert {"hair_vectors", "eye_vectors"} <= set(encoder.state_dict())  # saved with the network
    output.sum().backward()
    assert encoder.hair_vectors.grad is None and not encoder.hair_vectors.requires_grad
    # The hair half depends on the hair colour only, the eye half on the eye colour only.
    alone = encoder(torch.tensor([11]), torch.tensor([3]))[0]
    torch.testing.assert_close(alone[:5], output[1, :5])
    assert not torch.allclose(alone[5:], output[1, 5:])
    torch.manual_seed(0)
    assert torch.equal(FastTextConditionEncoder(embedding_dim=5)(hair, eyes), output)  # same seed, same encoder


def test_fasttext_generator_and_concat_discriminator_run_and_round_trip():
    generator = Generator(GeneratorConfig(ngf=8, condition="fasttext")).eval()
    critic = Discriminator(DiscriminatorConfig(ndf=8, conditioning="concat", condition="fasttext", spectral_norm=True))
    hair, eyes = torch.tensor([0, 5]), torch.tensor([3, 10])
    z = torch.randn(2, 100, generator=torch.Generator().manual_seed(0))
    images = generator(z, hair, eyes)
    assert images.shape == (2, 3, 64, 64) and critic(images, hair, eyes).logits.shape == (2,)
    twin = Generator(GeneratorConfig(ngf=8, condition="fasttext")).eval()
    twin.load_state_dict(generator.state_dict())
    assert torch.equal(twin(z, hair, eyes), images)


def test_fasttext_encoder_fails_clearly_without_the_vectors_file(tmp_path):
    missing = tmp_path / "fasttext.safetensors"
    with pytest.raises(InputError) as caught:
        FastTextConditionEncoder(vectors_path=missing)
    assert str(caught.value) == (f"{missing}: word vectors not found (expected the file "
                                 "`hw3 text train --data data/anime --out weights/word_vectors --seed 0` writes)")


def test_models_and_free_text_modules_import_without_gensim():
    code = ("import sys, hw3, hw3.models, hw3.cli, hw3.text.free_text, hw3.text.commands\n"
            "from hw3.models import Generator, GeneratorConfig\n"
            "Generator(GeneratorConfig(ngf=8, condition='fasttext'))\n"
            "hw3.cli.build_parser()\n"
            "assert 'gensim' not in sys.modules, 'gensim was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


# ---------------------------------------------------------------- `hw3 text train`

def test_text_train_writes_both_files_with_sidecars(tmp_path, capsys):
    lines = [f"{i},{hair} hair:1\t{eyes} eyes:1\tsmile:1" for i, (hair, eyes) in
             enumerate((h, e) for h in HAIR_COLOURS for e in EYE_COLOURS)]
    (tmp_path / "train").mkdir()
    write(tmp_path, "\n".join(lines) + "\n", "train/tags_full.csv")
    assert main(["text", "train", "--data", str(tmp_path), "--out", str(tmp_path / "vectors"), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    for kind in ("fasttext", "word2vec"):
        path = tmp_path / "vectors" / f"{kind}.safetensors"
        sidecar = read_sidecar(path)
        assert (sidecar["kind"], sidecar["seed"], sidecar["vector_size"]) == (kind, 3, 32)
        assert f"{kind}: " in printed and "trained in" in printed
    assert read_sidecar(tmp_path / "vectors" / "fasttext.safetensors")["bucket"] == 20_000
    assert "hair 'blnde' → no vector (not a training word)" in printed  # Word2Vec has no n-grams
