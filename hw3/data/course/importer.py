"""Read the course sources, check every face, split by pair and write the rendered layout.

OUT/{train,test}/images/{id}.jpg with tags.csv and tags_full.csv (the renderer's formats),
OUT/{train,test}/sources.csv (`id,FILE:LINE` of the tags line each face came from),
OUT/meta.json, OUT/import_report.txt and OUT/test_tags.txt (see `report.py`). Everything is
assembled in a sibling folder and renamed into place, so an interrupted import leaves the
previous one (or nothing) at OUT.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from hw3.data.course.faces import RESIZE_RULE, decode_face
from hw3.data.course.report import REPORT_NAME, report_text, test_tags_text
from hw3.data.course.split import SplitConfig, pair_count_matrix, split_by_pair
from hw3.data.render.writer import JPEG_QUALITY, tag_file_texts
from hw3.data.tag_files import TaggedRow, read_extra_tags, read_full_tags
from hw3.errors import InputError
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

    def __str__(self) -> str:
        reasons = ", ".join(f"{kind} {count}" for kind, count in sorted(self.excluded.items())) or "none"
        return (f"imported {self.counts['train']} training and {self.counts['test']} test faces into "
                f"{self.out_dir}; excluded {sum(self.excluded.values())} rows ({reasons}); "
                f"every one is listed in {self.out_dir / REPORT_NAME}")


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
        source_stats.append({"name": source.name, "format": source.tag_format, "image_dir": str(source.image_dir),
                             "tags_file": str(source.tags_file),
                             "tags_sha256": hashlib.sha256(source.tags_file.read_bytes()).hexdigest(),
                             "tag_lines": len(report.rows) + len(report.bad_rows), "labelled": len(report.rows)})

    work_dir = out_dir.parent / f".{out_dir.name}.importing"
    shutil.rmtree(work_dir, ignore_errors=True)
    (work_dir / "staged").mkdir(parents=True)
    kept, image_excluded = _check_images(candidates, work_dir / "staged", config)
    excluded += image_excluded
    if not kept:
        shutil.rmtree(work_dir)
        first = excluded[0][1] if excluded else "no tag lines"
        raise InputError(f"no usable faces (first excluded row: {first})")

    faces = [candidates[index] for index in kept]
    pairs = [face.row.tags.pair_index for face in faces]
    split = split_by_pair(pairs, config.split)
    excluded += [("held_out_surplus", f"{faces[i].location}: {faces[i].row.tags} is a held-out pair whose test "
                  f"quota ({config.split.test_per_pair}) is full (expected no training faces of it)")
                 for i in split.unused]
    if not split.train:
        shutil.rmtree(work_dir)
        raise InputError("no face left for the training split (expected more labelled faces)")
    for split_name, members in (("train", split.train), ("test", split.test)):
        _write_split(work_dir / split_name, [faces[i] for i in members], [kept[i] for i in members],
                     work_dir / "staged")
    shutil.rmtree(work_dir / "staged")

    for stats, source in zip(source_stats, config.sources):
        stats["kept"] = sum(face.source is source for face in faces)
        stats["missing_colours"] = _missing_colours([face.row.tags for face in faces if face.source is source])
    counts = {"train": len(split.train), "test": len(split.test)}
    reasons = Counter(kind for kind, _ in excluded)
    meta = {
        "importer_version": IMPORTER_VERSION,
        "seed": config.split.seed,
        "counts": counts,
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
        "excluded": dict(sorted(reasons.items())),
        "pair_counts": {name: pair_count_matrix(pairs[i] for i in members)
                        for name, members in (("train", split.train), ("test", split.test))},
    }
    (work_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (work_dir / REPORT_NAME).write_text(report_text(meta, excluded), encoding="utf-8")
    test_pairs = [pairs[i] for i in split.test]
    if test_pairs:
        (work_dir / "test_tags.txt").write_text(test_tags_text(test_pairs, pairs), encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)  # an earlier import (checked above)
    os.replace(work_dir, out_dir)
    return ImportSummary(counts, reasons, out_dir)


def _check_out_dir(out_dir: Path) -> None:
    """Only an empty folder or an earlier import may be replaced."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: is a file (expected a folder)")
    if not any(out_dir.iterdir()):
        return
    try:
        earlier = json.loads((out_dir / "meta.json").read_text()).get("importer_version")
    except (OSError, ValueError, AttributeError):
        earlier = None
    if earlier is None:
        raise InputError(f"--out {out_dir}: holds files that are not an earlier import (expected an empty folder)")


def _check_images(candidates: list[Candidate], staged_dir: Path, config: ImportConfig):
    """Decode every candidate's image (threads: PIL releases the GIL), stage the usable ones as
    staged/{index}.jpg -> (indices kept, [(kind, message)] of the rest)."""
    kept: list[int] = []
    excluded: list[tuple[str, str]] = []
    first_with_pixels: dict[str, str] = {}

    def stage(index: int):
        face = decode_face(candidates[index].image_path)
        if face.pixels is None:
            return face.kind, face.reason, None
        buffer = io.BytesIO()
        Image.fromarray(face.pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
        (staged_dir / f"{index}.jpg").write_bytes(buffer.getvalue())
        return None, None, hashlib.sha256(face.pixels.tobytes()).hexdigest()

    with ThreadPoolExecutor(max(1, config.workers)) as pool:
        results = pool.map(stage, range(len(candidates)))
        for index, (kind, reason, digest) in enumerate(
                tqdm(results, total=len(candidates), desc="import", unit="img", disable=not config.progress)):
            candidate = candidates[index]
            if kind is not None:
                excluded.append((kind, f"{candidate.location}: image {candidate.image_path} {reason}"))
            elif digest in first_with_pixels:
                excluded.append(("duplicate_image", f"{candidate.location}: image {candidate.image_path} has the "
                                 f"same pixels as the face of {first_with_pixels[digest]} (expected distinct faces)"))
            else:
                first_with_pixels[digest] = candidate.location
                kept.append(index)
    return kept, excluded


def _write_split(split_dir: Path, faces: list[Candidate], staged_indices: list[int], staged_dir: Path) -> None:
    (split_dir / "images").mkdir(parents=True)
    for new_id, staged_index in enumerate(staged_indices):
        os.replace(staged_dir / f"{staged_index}.jpg", split_dir / "images" / f"{new_id}.jpg")
    tags = [(f"{face.row.tags.hair} hair", f"{face.row.tags.eyes} eyes") for face in faces]
    short_text, full_text = tag_file_texts(tags)
    (split_dir / "tags.csv").write_text(short_text, encoding="utf-8")
    (split_dir / "tags_full.csv").write_text(full_text, encoding="utf-8")
    sources = "".join(f"{new_id},{face.location}\n" for new_id, face in enumerate(faces))
    (split_dir / "sources.csv").write_text(sources, encoding="utf-8")


def _missing_colours(tags: list[HairEyeTags]) -> dict[str, list[str]]:
    hair, eyes = {t.hair for t in tags}, {t.eyes for t in tags}
    return {"hair": [c for c in HAIR_COLOURS if c not in hair], "eyes": [c for c in EYE_COLOURS if c not in eyes]}
