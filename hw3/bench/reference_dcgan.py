"""A plain DCGAN loop in the manner of the classic single-file example: the speed baseline.

JPEG files decoded per step by DataLoader workers, float32, BCE on sigmoid outputs, and the
usual `.item()` reads every step. It is the yardstick `hw3 bench train` compares against, so it
is deliberately written the common way rather than the fast way.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class JpegFolder(Dataset):
    def __init__(self, image_dir: str | Path):
        self.paths = sorted(Path(image_dir).glob("*.jpg"))
        self.transform = transforms.Compose([
            transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(),
            transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
        ])

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        return self.transform(Image.open(self.paths[index]).convert("RGB")), 0


def _generator(nz: int, ngf: int) -> nn.Sequential:
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh(),
    )


def _discriminator(ndf: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
    )


def reference_images_per_second(
    image_dir: str | Path, batch_size: int, warmup_steps: int, timed_steps: int,
    ngf: int = 64, ndf: int = 64, nz: int = 100, workers: int = 2, seed: int = 0,
) -> float:
    """Real images per second through D over `timed_steps`, after `warmup_steps`."""
    torch.manual_seed(seed)  # as the classic script does; this runs in its own process
    loader = DataLoader(JpegFolder(image_dir), batch_size=batch_size, shuffle=True,
                        num_workers=workers, drop_last=True, persistent_workers=workers > 0)
    net_g, net_d = _generator(nz, ngf), _discriminator(ndf)
    criterion = nn.BCELoss()
    optimizer_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    step, start = 0, None
    while True:
        for real, _ in loader:
            if step == warmup_steps:
                start = time.perf_counter()
            if step == warmup_steps + timed_steps:
                return timed_steps * batch_size / (time.perf_counter() - start)
            net_d.zero_grad()
            label = torch.full((batch_size,), 1.0)
            output = net_d(real).view(-1)
            error_real = criterion(output, label)
            error_real.backward()
            d_x = output.mean().item()
            fake = net_g(torch.randn(batch_size, nz, 1, 1))
            label.fill_(0.0)
            output = net_d(fake.detach()).view(-1)
            error_fake = criterion(output, label)
            error_fake.backward()
            optimizer_d.step()
            net_g.zero_grad()
            label.fill_(1.0)
            output = net_d(fake).view(-1)
            error_g = criterion(output, label)
            error_g.backward()
            optimizer_g.step()
            _ = (d_x, (error_real + error_fake).item(), error_g.item())
            step += 1
