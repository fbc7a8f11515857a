"""Rendering whole splits to disk in parallel: images first, tag files last, meta.json at the end.

Layout (see the design notes): OUT/meta.json, OUT/{train,test}/images/{id}.jpg,
OUT/{split}/tags.csv (`0,aqua hair aqua eyes`) and OUT/{split}/tags_full.csv
(`0,aqua hair:COUNT<TAB>aqua eyes:COUNT<TAB>long hair:COUNT...`, COUNT = images in the split with
that tag). Old tag files are removed before any image is written and new ones appear only by an
atomic rename, so an interrupted render never leaves a tags file listing missing images.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.data.render.examples import render_example, split_size
from hw3.errors import Interrupted
from hw3.files import check_output_dir, write_text_atomic
from hw3.tags import NUM_PAIRS

RENDERER_VERSION = "anime-faces-1"
JPEG_QUALITY = 95
SPLITS = ("train", "test")
CHUNK_SIZE = 32  # images per task sent to a worker
WRITER_THREADS = 4


@dataclass(frozen=True)
class RenderConfig:
    out_dir: Path
    num_train: int
    seed: int = 0
    num_test_per_pair: int = 40
    workers: int = 1


@dataclass(frozen=True)
class RenderSummary:
    counts: dict[str, int]
    seconds: float
    workers: int

    @property
    def images_per_second(self) -> float:
        return sum(self.counts.values()) / max(self.seconds, 1e-9)

    def __str__(self) -> str:
        return (f"rendered {self.counts['train']}+{self.counts['test']} images in {self.seconds:.1f} s "
                f"({self.images_per_second:.0f} images/s, {self.workers} worker{'s' if self.workers != 1 else ''})")


def render_jpeg(task: tuple[str, int], seed: int, num_test_per_pair: int) -> tuple[bytes, tuple[str, ...]]:
    """Worker job: draw example `task` = (split, index); return its JPEG bytes and tags (colours first)."""
    split, index = task
    face = render_example(seed, split, index, num_test_per_pair)
    buffer = io.BytesIO()
    # 4:4:4 chroma: with 4:2:0 the 5-pixel irises would bleed into the eye whites.
    Image.fromarray(face.image).save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return buffer.getvalue(), (f"{face.tags.hair} hair", f"{face.tags.eyes} eyes", *face.extra_tags)


def tag_file_texts(tags_per_image: list[tuple[str, ...]]) -> tuple[str, str]:
    """(tags.csv, tags_full.csv) texts for one split; image id = position in the list."""
    counts = Counter(tag for tags in tags_per_image for tag in tags)
    short_lines = [f"{index},{tags[0]} {tags[1]}\n" for index, tags in enumerate(tags_per_image)]
    full_lines = [f"{index}," + "\t".join(f"{tag}:{counts[tag]}" for tag in tags) + "\n"
                  for index, tags in enumerate(tags_per_image)]
    return "".join(short_lines), "".join(full_lines)


def render_dataset(config: RenderConfig) -> RenderSummary:
    out_dir = check_output_dir(config.out_dir, "a folder for the rendered data set")
    for split in SPLITS:
        (out_dir / split / "images").mkdir(parents=True, exist_ok=True)
        for name in ("tags.csv", "tags_full.csv"):
            (out_dir / split / name).unlink(missing_ok=True)
    (out_dir / "meta.json").unlink(missing_ok=True)

    counts = {split: split_size(split, config.num_train, config.num_test_per_pair) for split in SPLITS}
    start = time.perf_counter()
    tags_per_image = _render_images(config, out_dir, counts)
    seconds = time.perf_counter() - start

    for split in SPLITS:
        short_text, full_text = tag_file_texts(tags_per_image[split])
        write_text_atomic(out_dir / split / "tags.csv", short_text)
        write_text_atomic(out_dir / split / "tags_full.csv", full_text)
    meta = {
        "renderer_version": RENDERER_VERSION,
        "seed": config.seed,
        "counts": counts,
        "num_test_per_pair": config.num_test_per_pair,
        "num_pairs": NUM_PAIRS,
        "image_size": 64,
        "jpeg_quality": JPEG_QUALITY,
        "held_out_pairs": [str(pair) for pair in HELD_OUT_PAIRS],
    }
    write_text_atomic(out_dir / "meta.json", json.dumps(meta, indent=2) + "\n")
    return RenderSummary(counts, seconds, config.workers)


def _render_images(config: RenderConfig, out_dir: Path, counts: dict[str, int]) -> dict[str, list[tuple[str, ...]]]:
    """Render and write every image; returns each split's per-image tags in id order."""
    tasks = [(split, index) for split in SPLITS for index in range(counts[split])]
    job = partial(render_jpeg, seed=config.seed, num_test_per_pair=config.num_test_per_pair)
    tags_per_image: dict[str, list[tuple[str, ...]]] = {split: [] for split in SPLITS}
    # The pool forks before this function starts threads (disk writers, tqdm's monitor). Files are
    # written by threads of this process, so slow disk writes never stall the renderers.
    with _worker_pool(config.workers) as pool, ThreadPoolExecutor(WRITER_THREADS) as disk, \
            tqdm(total=len(tasks), unit="img", desc="render") as progress:
        rendered = map(job, tasks) if pool is None else pool.imap(job, tasks, chunksize=CHUNK_SIZE)
        writes = []
        try:
            for (split, index), (jpeg, tags) in zip(tasks, rendered):
                writes.append(disk.submit((out_dir / split / "images" / f"{index}.jpg").write_bytes, jpeg))
                tags_per_image[split].append(tags)
                progress.update(1)
        except KeyboardInterrupt:
            progress.close()  # the message goes on a line of its own
            raise Interrupted(f"stopped after {len(writes):,} of {len(tasks):,} images, before any tags file was "
                              f"written, so {out_dir} is no data set yet; run the same command again") from None
        for write in writes:
            write.result()  # re-raises a failed write before any tags file exists
    return tags_per_image


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group; only the parent reports it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _worker_pool(workers: int):
    """A process pool, or None to render in this process (one worker: simpler to debug)."""
    if workers == 1:
        yield None
        return
    with multiprocessing.Pool(workers, initializer=_ignore_interrupts) as pool:
        yield pool
