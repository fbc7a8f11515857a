"""Hair/eye class labels -> one condition vector: where "blue hair" first becomes numbers.

Every conditional network reads its tags through a `ConditionEncoder`, so a new way of encoding
tags (such as the fixed FastText word vectors plus a learned projection below) is one class and
one entry in `CONDITION_ENCODERS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from hw3.errors import InputError
from hw3.tags import NUM_EYES, NUM_HAIR, NUM_PAIRS
from hw3.text.storage import DEFAULT_FASTTEXT_PATH, read_colour_vectors  # safetensors only, no gensim

DEFAULT_EMBEDDING_DIM = 32  # per attribute; 12 and 11 classes need few dimensions


class ConditionEncoder(nn.Module):
    """`forward(hair (B,) long, eyes (B,) long) -> (B, output_dim)` float condition vector."""

    output_dim: int


class OneHotConditionEncoder(ConditionEncoder):
    """Two one-hots side by side: 12 hair + 11 eye = 23 dimensions, nothing learned."""

    def __init__(self):
        super().__init__()
        self.output_dim = NUM_HAIR + NUM_EYES

    def forward(self, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        # F.one_hot with num_classes given does not sync with a GPU to range-check.
        one_hots = [F.one_hot(hair, NUM_HAIR), F.one_hot(eyes, NUM_EYES)]
        return torch.cat(one_hots, dim=1).float()  # (B, 23)


class PairOneHotConditionEncoder(ConditionEncoder):
    """The course slides' encoder: a one-hot over the 132 hair-eye pairs, then Dense(256, ReLU).

    A pair never seen in training keeps its initial weights, so this encoder cannot draw
    held-out pairs; it is kept as the course baseline, not as a recommendation.
    """

    def __init__(self, hidden_dim: int = 256):
        super().__init__()
        self.dense = nn.Linear(NUM_PAIRS, hidden_dim)
        self.output_dim = hidden_dim

    def forward(self, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        # In the dense layer's dtype: the run scripts replay generators in float64.
        pair = F.one_hot(hair * NUM_EYES + eyes, NUM_PAIRS).to(self.dense.weight.dtype)  # (B, 132)
        return torch.relu(self.dense(pair))  # (B, 256)


class EmbeddingConditionEncoder(ConditionEncoder):
    """A learned vector per hair colour and per eye colour, concatenated."""

    def __init__(self, embedding_dim: int = DEFAULT_EMBEDDING_DIM):
        super().__init__()
        self.hair_embedding = nn.Embedding(NUM_HAIR, embedding_dim)
        self.eye_embedding = nn.Embedding(NUM_EYES, embedding_dim)
        self.output_dim = 2 * embedding_dim

    def forward(self, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.hair_embedding(hair), self.eye_embedding(eyes)], dim=1)  # (B, 2E)


class FastTextConditionEncoder(ConditionEncoder):
    """Each colour's FastText word vector, fixed, then a learned linear map per attribute.

    The vectors (hair (12, d), eyes (11, d), standardised per dimension; see
    `hw3.text.storage.colour_vectors`) are read from the shipped word-vectors file without gensim
    and kept as buffers: not trained, but saved in the state dict, so a generator keeps the
    vectors it was trained with even if the file is trained again.
    """

    def __init__(self, embedding_dim: int = DEFAULT_EMBEDDING_DIM, vectors_path: str | Path | None = None):
        super().__init__()
        hair_vectors, eye_vectors = read_colour_vectors(vectors_path or DEFAULT_FASTTEXT_PATH)
        self.register_buffer("hair_vectors", hair_vectors)  # (12, d)
        self.register_buffer("eye_vectors", eye_vectors)  # (11, d)
        self.hair_projection = nn.Linear(hair_vectors.shape[1], embedding_dim)
        self.eye_projection = nn.Linear(eye_vectors.shape[1], embedding_dim)
        self.output_dim = 2 * embedding_dim

    def forward(self, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        hair_part = self.hair_projection(self.hair_vectors[hair])  # (B, d) -> (B, E)
        eye_part = self.eye_projection(self.eye_vectors[eyes])
        return torch.cat([hair_part, eye_part], dim=1)  # (B, 2E)


# kind -> constructor taking `embedding_dim`.
CONDITION_ENCODERS: dict[str, Callable[[int], ConditionEncoder]] = {
    "onehot": lambda embedding_dim: OneHotConditionEncoder(),  # fixed width, ignores the size
    "pair_onehot": lambda embedding_dim: PairOneHotConditionEncoder(),  # the course's Dense(256)
    "embedding": EmbeddingConditionEncoder,
    "fasttext": FastTextConditionEncoder,  # needs weights/word_vectors/fasttext.safetensors
}


def build_condition_encoder(kind: str, embedding_dim: int = DEFAULT_EMBEDDING_DIM) -> ConditionEncoder:
    if kind not in CONDITION_ENCODERS:
        raise InputError(
            f"condition encoder: unknown kind '{kind}' (expected one of: {', '.join(CONDITION_ENCODERS)})"
        )
    if embedding_dim < 1:
        raise InputError(f"condition encoder: embedding_dim {embedding_dim} (expected a positive integer)")
    return CONDITION_ENCODERS[kind](embedding_dim)


def check_tags(
    who: str, is_conditional: bool, batch_size: int, hair: torch.Tensor | None, eyes: torch.Tensor | None
) -> None:
    """Fail loudly when tags are missing, unexpected, or do not match the batch."""
    if (hair is None) != (eyes is None):
        raise ValueError(f"{who}: got only one of hair/eyes (expected both or neither)")
    if not is_conditional:
        if hair is not None:
            raise ValueError(f"{who} is unconditional but got hair/eye tags (expected hair=None, eyes=None)")
        return
    if hair is None:
        raise ValueError(f"{who} is conditional but got no tags (expected hair and eyes, long tensors (B,))")
    for name, tags in (("hair", hair), ("eyes", eyes)):
        if tags.dtype != torch.long or tags.shape != (batch_size,):
            raise ValueError(
                f"{who}: {name} tags have dtype {tags.dtype} and shape {tuple(tags.shape)} "
                f"(expected torch.int64 of shape ({batch_size},))"
            )


class TagConditionedGenerator(nn.Module):
    """What every generator shares: noise and tags checked, the tags encoded, then `draw`.
    A subclass sets `config` (with `z_dim`) and `condition_encoder` (None: unconditional) and
    defines `draw(z, condition)`."""

    @property
    def is_conditional(self) -> bool:
        return self.condition_encoder is not None

    def forward(self, z: torch.Tensor, hair: torch.Tensor | None = None,
                eyes: torch.Tensor | None = None) -> torch.Tensor:
        who = type(self).__name__
        if z.dim() != 2 or z.shape[1] != self.config.z_dim:
            raise ValueError(f"{who}: z has shape {tuple(z.shape)} (expected (B, {self.config.z_dim}))")
        check_tags(who, self.is_conditional, z.shape[0], hair, eyes)
        condition = None if self.condition_encoder is None else self.condition_encoder(hair, eyes).to(z.dtype)
        return self.draw(z, condition)


class TagReadingDiscriminator(nn.Module):
    """What every discriminator shares: whether it reads tags, and the check of its inputs."""

    @property
    def is_conditional(self) -> bool:
        return self.config.conditioning != "none"

    def check_inputs(self, images: torch.Tensor, hair: torch.Tensor | None, eyes: torch.Tensor | None) -> None:
        who = type(self).__name__
        if images.dim() != 4 or images.shape[1:] != (3, 64, 64):
            raise ValueError(f"{who}: images have shape {tuple(images.shape)} (expected (B, 3, 64, 64))")
        check_tags(who, self.is_conditional, images.shape[0], hair, eyes)
