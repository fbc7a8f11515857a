"""`hw3 text train`: FastText and Word2Vec vectors of the tag words, written to safetensors.
`hw3 text measure`: how free-text colour words resolve, on seeded misspellings and non-colour words."""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from pathlib import Path

from hw3.bounds import SEED_FLAG
from hw3.errors import InputError
from hw3.files import check_output_dir

# Misspellings shown after training: FastText places them, Word2Vec has no vector for them.
EXAMPLE_WORDS = (("blnde", "hair"), ("purpel", "hair"), ("grean", "eyes"), ("silvr", "hair"),
                 ("orang", "eyes"), ("blak", "hair"))


def register(subparsers: argparse._SubParsersAction) -> None:
    text = subparsers.add_parser("text", help="word vectors of the tag words (FastText, Word2Vec)")
    text_commands = text.add_subparsers(dest="text_command", required=True)
    train = text_commands.add_parser(
        "train", help="train FastText and Word2Vec on the tag lines and write both to --out",
        description="Writes fasttext.safetensors and word2vec.safetensors, each with a JSON sidecar; "
                    "the same seed gives identical vectors.",
    )
    train.add_argument("--data", type=Path, required=True, help="data root holding train/tags_full.csv")
    train.add_argument("--out", type=Path, required=True, help="folder for the files, e.g. weights/word_vectors")
    train.add_argument("--seed", type=SEED_FLAG, default=0, help=str(SEED_FLAG))
    train.set_defaults(run=run_train)
    measure = text_commands.add_parser(
        "measure", help="measure free-text colour resolution on seeded misspellings and non-colour words",
        description="Writes free_text.json and free_text.md to --out: the dev grid the constants were picked "
                    "on, and the test set measured with them (see hw3/text/misspellings.py).",
    )
    measure.add_argument("--vectors", type=Path, default=None,
                         help="FastText file (default: weights/word_vectors/fasttext.safetensors)")
    measure.add_argument("--out", type=Path, default=Path("report/results/free_text"), help="folder for the results")
    measure.set_defaults(run=run_measure)


def run_measure(args: argparse.Namespace) -> int:
    from hw3.text.measure import markdown, measure
    from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors
    from hw3.weights import read_sidecar
    from hw3.files import write_json_atomic, write_text_atomic

    check_output_dir(args.out, "a folder for free_text.json and free_text.md")
    vectors_path = args.vectors or DEFAULT_FASTTEXT_PATH
    shown_path = args.vectors or DEFAULT_FASTTEXT_PATH.relative_to(DEFAULT_FASTTEXT_PATH.parents[2])
    vectors = load_word_vectors(vectors_path)  # checks the file against its sidecar's sha256
    result = {"vectors": str(shown_path), "vectors_sha256": read_sidecar(vectors_path)["sha256"], **measure(vectors)}
    args.out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out / "free_text.json", result)
    write_text_atomic(args.out / "free_text.md", markdown(result))
    test = result["test"]
    print(f"test: {test['resolved_right']}/{test['misspellings']} misspellings right, {test['resolved_wrong']} wrong, "
          f"{test['refused']} refused; {test['non_colour_refused']}/{test['non_colour_words']} non-colour words refused")
    print(f"wrote {args.out / 'free_text.json'} and {args.out / 'free_text.md'}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    # Deferred: `hw3 --help` stays fast and gensim is needed only from here on.
    from hw3.text.colours import COLOUR_GLOSSARY, resolve_colour
    from hw3.text.corpus import GLOSSARY_COPIES, read_tag_sentences, tags_file_of, with_glossary_names
    from hw3.text.storage import save_word_vectors
    from hw3.text.training import KINDS, WordVectorSettings, train_word_vectors
    from hw3.weights import command_line, file_sha256, git_commit

    check_output_dir(args.out, "a folder for the word-vector files")
    tags_file = tags_file_of(args.data)
    sentences = with_glossary_names(read_tag_sentences(tags_file), COLOUR_GLOSSARY, GLOSSARY_COPIES)
    print(f"corpus: {len(sentences)} tag sentences from {tags_file}, glossary names included")
    provenance = {"command": command_line(), "git_commit": git_commit(), "seed": args.seed,
                  "corpus": str(tags_file), "corpus_sha256": file_sha256(tags_file),
                  "glossary": COLOUR_GLOSSARY, "glossary_copies": GLOSSARY_COPIES}
    for kind in KINDS:
        settings = WordVectorSettings(kind=kind, seed=args.seed)
        print(f"training {kind} ...", flush=True)
        start = time.perf_counter()
        vectors = train_word_vectors(sentences, **asdict(settings))
        seconds = time.perf_counter() - start
        path = save_word_vectors(vectors, args.out / f"{kind}.safetensors", {**provenance, "training": asdict(settings)})
        print(f"{kind}: {len(vectors.index_to_key)} words, trained in {seconds:.1f} s; "
              f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
        for word, attribute in EXAMPLE_WORDS:
            try:
                colour, cosine = resolve_colour(word, attribute, vectors)
                print(f"  {attribute} '{word}' → {colour} (cosine {cosine:.2f})")
            except KeyError:
                print(f"  {attribute} '{word}' → no vector (not a training word)")
    return 0
