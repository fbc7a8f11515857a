"""Batch feed (epoch permutations, tag-balanced draws) and noise (seeded, truncated)."""

from __future__ import annotations

import torch

from hw3.images import draw_noise
from hw3.train.data_feed import BatchFeed

CPU = torch.device("cpu")


def skewed_data(count: int = 400):
    # Pair 0 holds 90 % of the images, pairs 1..4 share the rest.
    pair = torch.tensor([0] * (count * 9 // 10) + [1, 2, 3, 4] * (count // 40))
    hair, eyes = pair // 11, pair % 11
    images = torch.arange(len(pair), dtype=torch.uint8).view(-1, 1, 1, 1).expand(-1, 3, 64, 64).clone()
    return images, hair, eyes


def test_epoch_batches_cover_every_image_once():
    images, hair, eyes = skewed_data()
    feed = BatchFeed(images, hair, eyes, batch_size=40, seed=0, device=CPU, conditional=True)
    seen = torch.cat([feed._indices(k) for k in range(feed.batches_per_epoch)])
    assert sorted(seen.tolist()) == list(range(len(images)))
    assert not torch.equal(feed._indices(0), feed._indices(feed.batches_per_epoch))  # a new epoch, a new order


def test_balanced_sampling_evens_out_pairs():
    images, hair, eyes = skewed_data()
    feed = BatchFeed(images, hair, eyes, batch_size=100, seed=0, device=CPU, conditional=True, balanced=True)
    drawn = torch.cat([feed.batch(k).hair * 11 + feed.batch(k).eyes for k in range(50)])
    shares = torch.bincount(drawn, minlength=5).float() / len(drawn)
    assert torch.all((shares - 0.2).abs() < 0.03), shares  # 5 pairs, 20 % each, not 90 % for pair 0
    plain = BatchFeed(images, hair, eyes, batch_size=100, seed=0, device=CPU, conditional=True)
    assert (torch.cat([plain.batch(k).hair * 11 + plain.batch(k).eyes for k in range(4)]) == 0).float().mean() > 0.85


def test_batches_are_a_function_of_seed_and_index():
    images, hair, eyes = skewed_data()
    a = BatchFeed(images, hair, eyes, batch_size=40, seed=3, device=CPU, conditional=True)
    b = BatchFeed(images, hair, eyes, batch_size=40, seed=3, device=CPU, conditional=True)
    assert torch.equal(a.batch(17).real_images, b.batch(17).real_images)
    assert a.batch(0).real_images.min() >= -1 and a.batch(0).real_images.max() <= 1


def test_truncated_noise_stays_inside_and_is_seeded():
    z = draw_noise(500, 100, seed=0, truncation=0.5)
    assert z.abs().max() <= 0.5 and z.std() < 0.35
    assert torch.equal(z, draw_noise(500, 100, seed=0, truncation=0.5))
    assert torch.equal(draw_noise(4, 100, seed=0)[0], draw_noise(9, 100, seed=0)[0])
    # 16 rows and more take torch.randn's vectorised path: row 0 must still be the same.
    assert torch.equal(draw_noise(1, 100, seed=0)[0], draw_noise(25, 100, seed=0)[0])
    assert torch.equal(draw_noise(30, 100, seed=0)[:25], draw_noise(25, 100, seed=0))
    assert not torch.equal(draw_noise(2, 100, seed=0)[0], draw_noise(2, 100, seed=0)[1])
