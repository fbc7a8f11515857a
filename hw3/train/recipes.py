"""Ready-made settings for notebooks and scripts: a variant's config, and the smoke setting."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hw3.train.config import TrainConfig, load_config

# Smoke: a few steps of small networks on a few hundred images, to prove the path end to end.
SMOKE_OVERRIDES = {
    "generator.ngf": 16, "discriminator.ndf": 16, "batch_size": 16, "data.limit": 256,
    "log_every": 1, "sample_every": 2, "checkpoint_every": 2, "evaluation.every": 0,
}
SMOKE_STEPS = 3


def variant_config(config_path: str | Path, data_root: str | Path, out_dir: str | Path, seed: int = 0,
                   device: str = "auto", num_steps: int | None = None, smoke: bool = False) -> TrainConfig:
    overrides = {"data.root": str(data_root), "out_dir": str(out_dir), "seed": seed, "device": device,
                 "num_steps": num_steps}
    if smoke:
        overrides.update(SMOKE_OVERRIDES)
        overrides["num_steps"] = num_steps or SMOKE_STEPS
    return load_config(config_path, typed_overrides=overrides)


def smoke_data_root(seed: int = 0, num_train: int = 320, num_test_per_pair: int = 1) -> Path:
    """A freshly rendered small data set in a temporary folder."""
    from hw3.data.render.writer import RenderConfig, render_dataset

    root = Path(tempfile.mkdtemp(prefix="hw3-smoke-")) / "anime"
    render_dataset(RenderConfig(root, num_train, seed=seed, num_test_per_pair=num_test_per_pair, workers=2))
    return root
