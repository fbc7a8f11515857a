"""Decode every candidate face of an import, stage the usable ones, and say why the rest are not.

Staged faces are JPEGs named by candidate index in a scratch folder; the importer renames them
into the splits. A face with the same 64 x 64 pixels as an earlier one is a duplicate; a
grey-scale face is kept but listed, since its colour labels say what its pixels do not show.
"""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from hw3.data.course.faces import decode_face
from hw3.data.render.writer import JPEG_QUALITY


@dataclass
class StagedFaces:
    kept: list[int] = field(default_factory=list)  # candidate indices, in order
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (kind, "FILE:LINE: message")
    grey: list[str] = field(default_factory=list)  # "FILE:LINE: message" of kept grey-scale faces


def stage_faces(candidates: list, staged_dir: Path, workers: int, progress: bool) -> StagedFaces:
    """Candidates have `.location` (FILE:LINE) and `.image_path`. Threads: PIL releases the GIL."""
    staged = StagedFaces()
    first_with_pixels: dict[str, str] = {}

    def stage(index: int):
        face = decode_face(candidates[index].image_path)
        if face.pixels is None:
            return face.kind, face.reason, None, False
        buffer = io.BytesIO()
        Image.fromarray(face.pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
        (staged_dir / f"{index}.jpg").write_bytes(buffer.getvalue())
        return None, None, hashlib.sha256(face.pixels.tobytes()).hexdigest(), face.grey

    with ThreadPoolExecutor(max(1, workers)) as pool:
        results = pool.map(stage, range(len(candidates)))
        for index, (kind, reason, digest, grey) in enumerate(
                tqdm(results, total=len(candidates), desc="import", unit="img", disable=not progress)):
            candidate = candidates[index]
            where = f"{candidate.location}: image {candidate.image_path}"
            if kind is not None:
                staged.excluded.append((kind, f"{where} {reason}"))
            elif digest in first_with_pixels:
                staged.excluded.append(("duplicate_image", f"{where} has the same pixels as the face of "
                                        f"{first_with_pixels[digest]} (expected distinct faces)"))
            else:
                first_with_pixels[digest] = candidate.location
                staged.kept.append(index)
                if grey:
                    staged.grey.append(f"{where} is grey-scale, kept with the labels "
                                       f"'{candidate.row.tags}' (expected a colour face)")
    return staged
