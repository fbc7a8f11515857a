"""hw3: anime-face GANs (DCGAN, conditional GAN, WGAN-GP and ACGAN) on 64x64 images.

`hw3.generate([("blue", "red"), ...])` draws faces as PIL images (see `hw3.sampling.api`); it is
imported on first use, so `import hw3` alone does not import torch.
"""

__version__ = "0.1.0"
__all__ = ["generate"]


def __getattr__(name: str):
    if name == "generate":
        from hw3.sampling.api import generate

        return generate
    raise AttributeError(f"module 'hw3' has no attribute {name!r}")
