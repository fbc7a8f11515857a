"""hw3: anime-face GANs (DCGAN, conditional GAN, WGAN-GP, ACGAN) on 64x64 images."""

__version__ = "0.1.0"
