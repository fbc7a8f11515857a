"""Shared fixtures: a tiny tagged data set on disk in the extra-set layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hw3.tags import EYE_COLOURS, HAIR_COLOURS


def write_tiny_split(split_dir: Path, count: int, seed: int) -> None:
    """`count` 64x64 JPEGs: a hair-coloured top half and an eye-coloured band, with tags."""
    rng = np.random.default_rng(seed)
    (split_dir / "images").mkdir(parents=True)
    lines = []
    for image_id in range(count):
        hair, eyes = rng.integers(len(HAIR_COLOURS)), rng.integers(len(EYE_COLOURS))
        pixels = np.full((64, 64, 3), 230, np.uint8)
        pixels[:24] = (hair * 20 + 10, 255 - hair * 20, 120)
        pixels[30:38] = (eyes * 23, 90, 255 - eyes * 23)
        pixels += rng.integers(0, 10, pixels.shape, dtype=np.uint8)
        Image.fromarray(pixels).save(split_dir / "images" / f"{image_id}.jpg", quality=95)
        lines.append(f"{image_id},{HAIR_COLOURS[hair]} hair {EYE_COLOURS[eyes]} eyes\n")
    (split_dir / "tags.csv").write_text("".join(lines))


@pytest.fixture(scope="session")
def tiny_data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny_data")
    write_tiny_split(root / "train", 48, seed=0)
    write_tiny_split(root / "test", 24, seed=1)  # the reference of evaluation during training
    return root


@pytest.fixture(autouse=True, scope="session")
def _no_compile():
    """Tiny runs would spend most of their time compiling: torch.compile's own off switch, for this
    process and the commands it starts. tests/test_fast_path.py turns it back on where it tests it."""
    import os

    import torch

    os.environ["TORCH_COMPILE_DISABLE"] = "1"
    previous, torch._dynamo.config.disable = torch._dynamo.config.disable, True
    yield
    torch._dynamo.config.disable = previous
    os.environ.pop("TORCH_COMPILE_DISABLE", None)


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny networks run fastest on one thread, and stay fast when the cores are shared."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
