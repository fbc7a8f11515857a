"""Read the course sources, check every face, split by pair and write the rendered layout.

OUT/{train,test}/images/{id}.jpg with tags.csv and tags_full.csv (the renderer's formats),
OUT/{train,test}/sources.csv (`id,FILE:LINE` of the tags line each face came from),
OUT/meta.json, OUT/import_report.txt and OUT/test_tags.txt (see `report.py`). Everything is
assembled in a sibling folder and renamed into place by `hw3.files.replace_directory`, which sets
an earlier import aside until the new one is in place: an interrupted import leaves the previous
one (or nothing) at OUT.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hw3.data.course.faces import RESIZE_RULE
from hw3.data.course.report import REPORT_NAME, report_text, test_tags_text
from hw3.data.course.split import Split, SplitConfig, pair_count_matrix, split_by_pair
from hw3.data.course.staging import stage_faces
from hw3.data.render.writer import JPEG_QUALITY, tag_file_texts
from hw3.data.tag_files import TaggedRow, read_extra_tags, read_full_tags
from hw3.errors import InputError
from hw3.files import check_output_dir, recover_directory, replace_directory, write_text_atomic
from hw3.reading import MAX_TAGS_BYTES, read_bytes, read_json_object
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_PAIRS, HairEyeTags, pair_from_index

IMPORTER_VERSION = "course-import-1"
READERS = {"full": read_full_tags, "extra": read_extra_tags}
MERGE_RULE = ("sources pooled in the order given (33k set first); each row keeps its own source's label; "
              "a face whose 64x64 pixels equal an earlier kept face is left out")


@dataclass(frozen=True)
class CourseSource:
    name: str  # "faces" (the 33k set) or "extra"
    image_dir: Path
    tags_file: Path
    tag_format: str  # "full" or "extra"


@dataclass(frozen=True)
class ImportConfig:
    sources: tuple[CourseSource, ...]
    out_dir: Path
    split: SplitConfig = SplitConfig()
    workers: int = 4
    progress: bool = True


@dataclass(frozen=True)
class Candidate:
    source: CourseSource
    row: TaggedRow

    @property
    def location(self) -> str:
        return f"{self.source.tags_file}:{self.row.line_number}"

    @property
    def image_path(self) -> Path:
        return self.source.image_dir / f"{self.row.image_id}.jpg"


@dataclass
class ImportSummary:
    counts: dict[str, int]
    excluded: Counter = field(default_factory=Counter)
    out_dir: Path = Path()
    grey: list[str] = field(default_factory=list)  # kept grey-scale faces, "FILE:LINE: message"

    def __str__(self) -> str:
        reasons = ", ".join(f"{kind} {count}" for kind, count in sorted(self.excluded.items())) or "none"
        grey = f"; kept {len(self.grey)} grey-scale faces" if self.grey else ""
        return (f"imported {self.counts['train']} training and {self.counts['test']} test faces into "
                f"{self.out_dir}; excluded {sum(self.excluded.values())} rows ({reasons}){grey}; "
                f"every one is listed in {self.out_dir / REPORT_NAME}")

    def grey_warning(self) -> str | None:
        """One line for a user whose colour data holds grey-scale faces (their choice to keep)."""
        if not self.grey:
            return None
        return (f"{len(self.grey)} grey-scale faces kept with colour labels (first: {self.grey[0]}); "
                f"all listed in {self.out_dir / REPORT_NAME}")


def import_course_data(config: ImportConfig) -> ImportSummary:
    if not config.sources:
        raise InputError("no source given (expected --faces and/or --extra)")
    out_dir = Path(config.out_dir)
    _check_out_dir(out_dir)
    excluded: list[tuple[str, str]] = []  # (kind, "FILE:LINE: message")
    candidates: list[Candidate] = []
    source_stats = []
    for source in config.sources:
        if not source.image_dir.is_dir():
            raise InputError(f"{source.image_dir}: no such image folder (expected {{id}}.jpg files)")
        report = READERS[source.tag_format](source.tags_file)
        excluded += list(zip(report.bad_row_kinds, report.bad_rows))
        candidates += [Candidate(source, row) for row in report.rows]
        tags_bytes = read_bytes(source.tags_file, "a tags file", MAX_TAGS_BYTES)
        source_stats.append({"name": source.name, "format": source.tag_format, "image_dir": str(source.image_dir),
                             "tags_file": str(source.tags_file), "tags_sha256": hashlib.sha256(tags_bytes).hexdigest(),
                             "tag_lines": len(report.rows) + len(report.bad_rows), "labelled": len(report.rows)})

    work_dir = out_dir.parent / f".{out_dir.name}.importing"
    shutil.rmtree(work_dir, ignore_errors=True)
    (work_dir / "staged").mkdir(parents=True)
    staged = stage_faces(candidates, work_dir / "staged", config.workers, config.progress)
    excluded += staged.excluded
    if not staged.kept:
        shutil.rmtree(work_dir)
        first = excluded[0][1] if excluded else "no tag lines"
        raise InputError(f"no usable faces (first excluded row: {first})")

    faces = [candidates[index] for index in staged.kept]
    pairs = [face.row.tags.pair_index for face in faces]
    split = split_by_pair(pairs, config.split)
    excluded += [("held_out_surplus", f"{faces[i].location}: {faces[i].row.tags} is a held-out pair whose test "
                  f"quota ({config.split.test_per_pair}) is full (expected no training faces of it)")
                 for i in split.unused]
    if not split.train:
        shutil.rmtree(work_dir)
        raise InputError("no face left for the training split (expected more labelled faces)")
    for split_name, members in (("train", split.train), ("test", split.test)):
        _write_split(work_dir / split_name, [faces[i] for i in members], [staged.kept[i] for i in members],
                     work_dir / "staged")
    shutil.rmtree(work_dir / "staged")

    for stats, source in zip(source_stats, config.sources):
        stats["kept"] = sum(face.source is source for face in faces)
        stats["missing_colours"] = _missing_colours([face.row.tags for face in faces if face.source is source])
    meta = _meta(config, faces, pairs, split, source_stats, excluded, staged.grey)
    write_text_atomic(work_dir / "meta.json", json.dumps(meta, indent=2) + "\n")
    write_text_atomic(work_dir / REPORT_NAME, report_text(meta, excluded, staged.grey))
    test_pairs = [pairs[i] for i in split.test]
    if test_pairs:
        write_text_atomic(work_dir / "test_tags.txt", test_tags_text(test_pairs, pairs))
    replace_directory(work_dir, out_dir)  # an earlier import (checked above) is deleted only after this
    return ImportSummary(meta["counts"], Counter(kind for kind, _ in excluded), out_dir, staged.grey)


def _meta(config: ImportConfig, faces: list[Candidate], pairs: list[int], split: Split, source_stats: list[dict],
          excluded: list[tuple[str, str]], grey: list[str]) -> dict:
    return {
        "importer_version": IMPORTER_VERSION,
        "seed": config.split.seed,
        "counts": {"train": len(split.train), "test": len(split.test)},
        "num_pairs": NUM_PAIRS,
        "image_size": 64,
        "resize": RESIZE_RULE,
        "jpeg_quality": JPEG_QUALITY,
        "held_out_pairs": [str(pair) for pair in config.split.held_out_pairs],
        "split": {"test_per_pair": config.split.test_per_pair, "test_fraction": config.split.test_fraction,
                  "min_test_per_pair": config.split.min_test_per_pair},
        "pairs_too_rare_for_test": [str(pair_from_index(pair)) for pair in split.too_rare],
        "held_out_pairs_with_few_faces": [str(pair_from_index(pair)) for pair in split.rare_held_out],
        "sources": source_stats,
        "merge_rule": MERGE_RULE,
        "missing_colours": _missing_colours([face.row.tags for face in faces]),
        "excluded": dict(sorted(Counter(kind for kind, _ in excluded).items())),
        "grey_scale_kept": len(grey),
        "pair_counts": {name: pair_count_matrix(pairs[i] for i in members)
                        for name, members in (("train", split.train), ("test", split.test))},
    }


def _check_out_dir(out_dir: Path) -> None:
    """Only an empty folder or an earlier import may be replaced."""
    check_output_dir(out_dir, "a folder for the import: empty, absent or an earlier import")
    recover_directory(out_dir)  # an earlier import set aside by a run stopped part-way
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    try:
        earlier = read_json_object(out_dir / "meta.json", "an earlier import's meta.json").get("importer_version")
    except InputError:
        earlier = None
    if earlier is None:
        raise InputError(f"--out {out_dir}: holds files that are not an earlier import (expected an empty folder)")


def _write_split(split_dir: Path, faces: list[Candidate], staged_indices: list[int], staged_dir: Path) -> None:
    (split_dir / "images").mkdir(parents=True)
    for new_id, staged_index in enumerate(staged_indices):
        os.replace(staged_dir / f"{staged_index}.jpg", split_dir / "images" / f"{new_id}.jpg")
    tags = [(f"{face.row.tags.hair} hair", f"{face.row.tags.eyes} eyes") for face in faces]
    short_text, full_text = tag_file_texts(tags)
    write_text_atomic(split_dir / "tags.csv", short_text)
    write_text_atomic(split_dir / "tags_full.csv", full_text)
    sources = "".join(f"{new_id},{face.location}\n" for new_id, face in enumerate(faces))
    write_text_atomic(split_dir / "sources.csv", sources)


def _missing_colours(tags: list[HairEyeTags]) -> dict[str, list[str]]:
    hair, eyes = {t.hair for t in tags}, {t.eyes for t in tags}
    return {"hair": [c for c in HAIR_COLOURS if c not in hair], "eyes": [c for c in EYE_COLOURS if c not in eyes]}
