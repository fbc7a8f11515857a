"""Sentences for word vectors: every image's tags in a 33k-format tags file, as words.

A line `0,brown hair:4558<TAB>aqua eyes:1395<TAB>short hair:11420` becomes the sentence
`['brown', 'hair', 'aqua', 'eyes', 'short', 'hair']`: the id and the `:count` (the tag's
popularity in the whole corpus, nothing about this image) are dropped, tags keep file order and
are lower-cased and split on spaces. Colour phrases are kept as the two words they are, so
`blue` learns from sitting next to `hair` and `eyes` and to the other tags of the same image.

`hw3.data.tag_files.read_full_tags` keeps only the hair and eye colour of a line; this reader
keeps every tag and is lenient, because a word-vector corpus loses nothing by one odd line.

`with_glossary_names` adds copies of some sentences with a glossary name (`silver`) in the place
of the course colour it stands for (`gray`), so the name and its n-grams are trained too.
"""

from __future__ import annotations

from pathlib import Path

from hw3.errors import InputError
from hw3.reading import MAX_TAGS_BYTES, read_text

TAGS_FILE_NAME = "tags_full.csv"  # in the train split of a data root
# Enough for a glossary name's n-grams to train ('silvr' meets 'silver' at cosine ~0.8), few
# beside the 30,000 lines of the data: ~2,200 added sentences for 11 (attribute, name) pairs.
GLOSSARY_COPIES = 200


def read_tag_sentences(path: str | Path) -> list[list[str]]:
    """One sentence (a list of lower-case words) per non-empty line; lines without tags are skipped."""
    path = Path(path)
    text = read_text(path, "a 33k-format tags file", MAX_TAGS_BYTES)
    sentences = []
    for line in text.split("\n"):
        _, comma, tag_text = line.partition(",")
        if not comma:
            continue  # blank line or no tags at all
        words = []
        for tag_and_count in tag_text.split("\t"):
            tag = tag_and_count.rpartition(":")[0] if ":" in tag_and_count else tag_and_count
            words.extend(tag.lower().split())
        if words:
            sentences.append(words)
    if not sentences:
        raise InputError(f"{path}: no tag lines (expected lines like 'ID,tag:count<TAB>tag:count')")
    return sentences


def with_glossary_names(
    sentences: list[list[str]], glossary: dict[str, dict[str, str]], copies: int
) -> list[list[str]]:
    """`sentences` plus, per glossary (attribute, name, colour), the first `copies` sentences that
    say `<colour> <attribute>`, with `name` in the colour's place there.

    The copies take the contexts of the colour they name, so the name becomes a trained word
    like the course colours rather than an unknown one.
    """
    extended = list(sentences)
    for attribute, names in glossary.items():
        for name, colour in names.items():
            made = 0
            for sentence in sentences:
                if made == copies:
                    break
                places = [i for i in range(len(sentence) - 1) if sentence[i:i + 2] == [colour, attribute]]
                if places:
                    copy = list(sentence)
                    for i in places:
                        copy[i] = name
                    extended.append(copy)
                    made += 1
    return extended


def tags_file_of(data_root: str | Path) -> Path:
    """`data/anime` -> `data/anime/train/tags_full.csv`."""
    return Path(data_root) / "train" / TAGS_FILE_NAME
