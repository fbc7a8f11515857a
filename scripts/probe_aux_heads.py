"""How fast can the discriminator's ACGAN heads learn eye colour from real images alone?

Trains only D's feature stack and classifier heads (no GAN) with cross-entropy on the rendered
training split and prints hair and eye accuracy on the first 1,000 test faces every 100 steps,
for heads that read the 4x4 map averaged over space ("pooled") or flattened ("spatial", the
shipped design):

    OMP_NUM_THREADS=1 .venv/bin/python scripts/probe_aux_heads.py --heads pooled --steps 400
    OMP_NUM_THREADS=1 .venv/bin/python scripts/probe_aux_heads.py --heads spatial --steps 400
"""

from __future__ import annotations

import argparse

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from hw3.data.dataset import load_split
from hw3.models import Discriminator, DiscriminatorConfig
from hw3.tags import NUM_EYES, NUM_HAIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads", choices=("pooled", "spatial"), required=True)
    parser.add_argument("--data", default="data/anime")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train, test = load_split(args.data, "train"), load_split(args.data, "test")
    torch.manual_seed(args.seed)
    config = DiscriminatorConfig(ndf=32, conditioning="projection", spectral_norm=True, norm="none", aux_heads=True)
    discriminator = Discriminator(config)
    width = 8 * config.ndf * (16 if args.heads == "spatial" else 1)
    heads = nn.ModuleList([nn.Linear(width, NUM_HAIR), nn.Linear(width, NUM_EYES)])
    parameters = list(discriminator.features.parameters()) + list(heads.parameters())
    optimiser = torch.optim.Adam(parameters, 2e-4, betas=(0.0, 0.99))

    def logits(images: torch.Tensor) -> list[torch.Tensor]:
        features = discriminator.features(images.float() / 127.5 - 1)  # (B, 8ndf, 4, 4)
        features = features.flatten(1) if args.heads == "spatial" else features.mean(dim=(2, 3))
        return [head(features) for head in heads]

    rng = torch.Generator().manual_seed(args.seed)
    for step in tqdm(range(1, args.steps + 1), desc=f"{args.heads} heads", unit="step"):
        index = torch.randint(len(train.images), (64,), generator=rng)
        hair_logits, eye_logits = logits(train.images[index])
        loss = F.cross_entropy(hair_logits, train.hair[index]) + F.cross_entropy(eye_logits, train.eyes[index])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0:
            with torch.no_grad():
                hair_logits, eye_logits = logits(test.images[:1000])
            hair = (hair_logits.argmax(1) == test.hair[:1000]).float().mean()
            eyes = (eye_logits.argmax(1) == test.eyes[:1000]).float().mean()
            tqdm.write(f"{args.heads} step {step}: hair {hair:.1%}, eyes {eyes:.1%}")


if __name__ == "__main__":
    main()
