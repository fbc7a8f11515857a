"""A small replica of the course's two data sets, drawn by the renderer.

33k-set part (`faces/` + `tags.csv`, `id,tag:count<TAB>...`, CRLF, BOM, 96 x 96 JPEGs): common
pairs with enough faces for a test split, one held-out pair, single faces of rare pairs, and
rows every rule must exclude. Extra part (`images/` + `tags.csv`, `id,<c> hair <c> eyes`):
no gray eyes, one unknown colour. `EXPECTED_EXCLUDED` counts what the importer must leave out.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from hw3.data.render.examples import render_example
from hw3.tags import HairEyeTags

PER_PAIR = 40  # the renderer's test-split stride: index pair * 40 + j draws pair `pair`
COMMON_FACES = (HairEyeTags("blue", "blue"), HairEyeTags("blonde", "red"), HairEyeTags("pink", "purple"))
HELD_OUT = HairEyeTags("blonde", "green")  # in hw3.data.pairs.HELD_OUT_PAIRS
RARE = (HairEyeTags("orange", "gray"), HairEyeTags("green", "black"))
COMMON_EXTRA = (HairEyeTags("red", "yellow"), HairEyeTags("blue", "blue"))
FACES_PER_COMMON_PAIR = 26  # 20 % of 26 = 5 test faces: just enough for a test set
EXTRA_PER_COMMON_PAIR = 26
COUNTS = "\t".join(["long hair:51234", "smile:40211", "blush:3310", "open mouth:20001"])
EXPECTED_EXCLUDED = {
    "several_colours": 2, "no_colour_tag": 2, "malformed": 1, "missing_image": 1,
    "corrupt_image": 1, "unreadable_image": 1, "unknown_colour": 1, "duplicate_id": 1,
    "duplicate_image": 1,
}


def _face(tags: HairEyeTags, j: int, size: int) -> Image.Image:
    face = render_example(0, "test", tags.pair_index * PER_PAIR + j, PER_PAIR)
    assert face.tags == tags
    image = Image.fromarray(face.image)
    return image.resize((size, size), Image.Resampling.BICUBIC) if size != 64 else image


def write_course_replica(root: Path) -> dict[str, Path]:
    faces_dir, extra_dir = root / "faces_set" / "faces", root / "extra_set" / "images"
    faces_dir.mkdir(parents=True)
    extra_dir.mkdir(parents=True)
    lines: list[str] = []

    def add_face(tags: HairEyeTags, j: int, tag_text: str | None = None, image: bool = True) -> int:
        image_id = len(lines)
        if image:
            _face(tags, j, 96).save(faces_dir / f"{image_id}.jpg", quality=92)
        tag_text = tag_text or f"{tags.hair} hair:9000\t{COUNTS}\t{tags.eyes} eyes:8000"
        lines.append(f"{image_id},{tag_text}")
        return image_id

    for tags in COMMON_FACES:
        for j in range(FACES_PER_COMMON_PAIR):
            add_face(tags, j)
    for j in range(8):
        add_face(HELD_OUT, j)
    for tags in RARE:
        add_face(tags, 0)
    # Synonyms of one colour count once: a labelled face.
    add_face(HairEyeTags("blonde", "gray"), 0, "blond hair:100\tblonde hair:900\tgrey eyes:50\tsmile:40211")
    # Rows every rule must exclude.
    add_face(HairEyeTags("blue", "red"), 1, "blue hair:9000\tred hair:8000\tred eyes:7000")  # several_colours
    add_face(HairEyeTags("blue", "red"), 2, "blue hair:9000\tred eyes:7000\tgreen eyes:10")  # several_colours
    add_face(HairEyeTags("blue", "red"), 3, f"{COUNTS}")  # no_colour_tag
    add_face(HairEyeTags("blue", "red"), 4, "silver hair:300\tred eyes:7000")  # no_colour_tag (silver unknown)
    add_face(HairEyeTags("blue", "red"), 5, "blue hair\tred eyes:7000")  # malformed: no :count
    missing = add_face(HairEyeTags("red", "blue"), 0, image=False)  # missing_image
    corrupt = add_face(HairEyeTags("red", "blue"), 1)
    data = (faces_dir / f"{corrupt}.jpg").read_bytes()
    (faces_dir / f"{corrupt}.jpg").write_bytes(data[: len(data) // 2])  # corrupt_image: truncated JPEG
    not_image = add_face(HairEyeTags("red", "blue"), 2)
    (faces_dir / f"{not_image}.jpg").write_bytes(b"not a picture at all")  # unreadable_image
    faces_tags = root / "faces_set" / "tags.csv"
    faces_tags.write_bytes(b"\xef\xbb\xbf" + "".join(line + "\r\n" for line in lines).encode())

    extra_lines = []
    for tags in COMMON_EXTRA:
        for j in range(EXTRA_PER_COMMON_PAIR):
            image_id = len(extra_lines)
            # The extra set's blue/blue faces are other faces than the 33k set's (j shifted).
            _face(tags, j + 13, 64).save(extra_dir / f"{image_id}.jpg", quality=95)
            extra_lines.append(f"{image_id},{tags.hair} hair {tags.eyes} eyes")
    extra_lines.append(f"{len(extra_lines)},silver hair red eyes")  # unknown_colour
    extra_lines.append("0,red hair yellow eyes")  # duplicate_id
    # duplicate_image: the same face as an earlier extra row, under a new id.
    duplicate_id = len(extra_lines)
    (extra_dir / f"{duplicate_id}.jpg").write_bytes((extra_dir / "0.jpg").read_bytes())
    extra_lines.append(f"{duplicate_id},red hair yellow eyes")
    extra_tags = root / "extra_set" / "tags.csv"
    extra_tags.write_text("\n".join(extra_lines) + "\n")
    return {"faces": faces_dir, "faces_tags": faces_tags, "extra": extra_dir, "extra_tags": extra_tags,
            "missing": missing, "corrupt": corrupt, "not_image": not_image}
