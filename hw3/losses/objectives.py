"""Adversarial objectives on discriminator logits, split into the terms a D step combines.

Every term is a mean over the batch, computed in float32 (logits may arrive in bf16).
`discriminator(real, fake)` is `real_term(real) + fake_term(fake)`; the matching-aware loss
weights two fake terms instead, which is why the terms are separate.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class NonSaturatingObjective:
    """Goodfellow et al. 2014: D is a logistic classifier; G maximises log D(G(z))."""

    def real_term(self, real_logits: torch.Tensor) -> torch.Tensor:
        real_logits = real_logits.float()
        return F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))

    def fake_term(self, fake_logits: torch.Tensor) -> torch.Tensor:
        fake_logits = fake_logits.float()
        return F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))

    def discriminator(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return self.real_term(real_logits) + self.fake_term(fake_logits)

    def generator(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return self.real_term(fake_logits)  # -log D(G(z)): strong gradients while D wins


class WassersteinObjective:
    """Arjovsky et al. 2017: the critic widens E[D(real)] - E[D(fake)]; needs a Lipschitz constraint."""

    def real_term(self, real_logits: torch.Tensor) -> torch.Tensor:
        return -real_logits.float().mean()

    def fake_term(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return fake_logits.float().mean()

    def discriminator(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return self.real_term(real_logits) + self.fake_term(fake_logits)

    def generator(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return -fake_logits.float().mean()


class HingeObjective:
    """Lim & Ye 2017, Miyato et al. 2018: D pushes real above +1 and fake below -1."""

    def real_term(self, real_logits: torch.Tensor) -> torch.Tensor:
        return torch.relu(1 - real_logits.float()).mean()

    def fake_term(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return torch.relu(1 + fake_logits.float()).mean()

    def discriminator(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return self.real_term(real_logits) + self.fake_term(fake_logits)

    def generator(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return -fake_logits.float().mean()


class RelativisticPairingObjective:
    """RpGAN (Jolicoeur-Martineau 2019; R3GAN, Huang et al. 2024): each real logit is compared
    with the fake logit of the same batch position, D(real) - D(fake), through softplus.

    It has no separate real and fake terms, so the matching-aware loss cannot use it.
    """

    def discriminator(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return F.softplus(fake_logits.float() - real_logits.float()).mean()

    def relativistic_generator(self, fake_logits: torch.Tensor, real_logits: torch.Tensor) -> torch.Tensor:
        return F.softplus(real_logits.float() - fake_logits.float()).mean()


OBJECTIVES = {
    "bce": NonSaturatingObjective,
    "wasserstein": WassersteinObjective,
    "hinge": HingeObjective,
    "relativistic": RelativisticPairingObjective,
}
