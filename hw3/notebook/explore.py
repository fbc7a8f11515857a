"""The explorer of notebooks/06_explore.ipynb: plain functions that draw faces from a conditional
generator, read them with the tag evaluator and find their nearest training faces, and one
`Explorer` whose widget callbacks call them (and nothing else), so the callbacks can be tested
without a browser.

A face request names two tag pairs and a mix between them (the encoded conditions are mixed,
as in the report's tag walks), two seeds and a mix between their noises (along the great
circle, as in the report's noise walks), and a truncation (0: none).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image

from hw3.errors import InputError
from hw3.models import Generator
from hw3.images import draw_noise, grid_pixels, tag_tensors
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags


@dataclass(frozen=True)
class FaceRequest:
    tags_from: HairEyeTags = HairEyeTags("blonde", "blue")
    tags_to: HairEyeTags = HairEyeTags("black", "red")
    tag_mix: float = 0.0  # 0: tags_from, 1: tags_to
    seed_from: int = 0
    seed_to: int = 1
    seed_mix: float = 0.0  # 0: seed_from's noise, 1: seed_to's
    truncation: float = 0.0  # 0: none; else noise values beyond it are redrawn
    count: int = 8

    @property
    def tags(self) -> HairEyeTags | None:
        """The pair asked for, or None between two pairs."""
        return self.tags_from if self.tag_mix == 0 else self.tags_to if self.tag_mix == 1 else None


def spherical_mix(start: torch.Tensor, end: torch.Tensor, weight: float) -> torch.Tensor:
    """Rows of (N, D) noise `weight` of the way from `start` to `end` along the great circle: the
    straight line dips inside the shell where N(0, I) noise lives, into noise G never saw."""
    if weight == 0:
        return start.clone()
    if weight == 1:
        return end.clone()
    cosine = (torch.nn.functional.normalize(start, dim=1) * torch.nn.functional.normalize(end, dim=1)).sum(1)
    angle = torch.arccos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))[:, None]  # (N, 1)
    return (torch.sin((1 - weight) * angle) * start + torch.sin(weight * angle) * end) / torch.sin(angle)


@torch.no_grad()
def draw_request(generator: Generator, request: FaceRequest) -> torch.Tensor:
    """(count, 3, 64, 64) in [-1, 1]: face i from row i of each seed's noise, as `hw3 sample` draws."""
    if not generator.is_conditional:
        raise InputError("the explorer needs a conditional generator (expected a generator with tags)")
    device = next(generator.parameters()).device
    truncation = request.truncation or None
    z_dim = generator.config.z_dim
    z = spherical_mix(draw_noise(request.count, z_dim, request.seed_from, truncation),
                      draw_noise(request.count, z_dim, request.seed_to, truncation), request.seed_mix)
    hair, eyes = tag_tensors([request.tags_from, request.tags_to])
    conditions = generator.condition_encoder(hair.to(device), eyes.to(device))  # (2, C)
    condition = (1 - request.tag_mix) * conditions[0] + request.tag_mix * conditions[1]
    return generator.draw(z.to(device), condition.expand(request.count, -1))


class FaceReading(NamedTuple):
    hair: str
    hair_probability: float
    eyes: str
    eye_probability: float


@torch.no_grad()
def read_faces(evaluator: torch.nn.Module, images: torch.Tensor) -> list[FaceReading]:
    """The evaluator's most likely hair and eye colour of each face, with its softmax probability.
    Faces are rounded to 8-bit pixels first, as `hw3 evaluate` reads them."""
    from hw3.eval.features import extract_readout, to_uint8

    readout = extract_readout(evaluator, to_uint8(images.cpu()))
    readings = []
    for hair_logits, eye_logits in zip(readout.hair_logits, readout.eye_logits):
        hair_p, eye_p = (np.exp(x - x.max()) / np.exp(x - x.max()).sum() for x in (hair_logits, eye_logits))
        readings.append(FaceReading(HAIR_COLOURS[int(hair_p.argmax())], float(hair_p.max()),
                                    EYE_COLOURS[int(eye_p.argmax())], float(eye_p.max())))
    return readings


def resolve_free_text(text: str, vectors) -> tuple[HairEyeTags, list[str]]:
    """'long blonde hair with green eyes' -> (HairEyeTags('blonde', 'green'), the decisions made),
    through the same resolver as `--free-text`; InputError says why not."""
    from hw3.text.free_text import parse_free_text

    decisions: list[str] = []
    try:
        tags = parse_free_text(text, 1, vectors, decisions.append)
    except ValueError as error:
        raise InputError(str(error)) from None
    return tags, [decision.removeprefix("line 1: ") for decision in decisions]


def png_bytes(pixels: np.ndarray) -> bytes:
    """uint8 (H, W, 3) -> PNG file bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


class TrainingFaces:
    """The training split and the evaluator's features of it (computed once, cached on disk
    beside the data as `hw3 report` caches them), for nearest-neighbour look-ups."""

    def __init__(self, data_root: str | Path, evaluator: torch.nn.Module):
        from hw3.data.dataset import load_split
        from hw3.eval.features import cached_readout, model_fingerprint

        data_root = Path(data_root)
        if not (data_root / "train" / "tags.csv").is_file():
            raise InputError(f"{data_root}: no training faces (expected the data set `make data` renders, "
                             "about 100 s)")
        self.dataset = load_split(data_root, "train")
        cache_path = data_root / ".cache" / "evaluator" / "train_readout.npz"
        self.features = cached_readout(evaluator, model_fingerprint(evaluator), self.dataset.images, cache_path).features

    def nearest_figure(self, evaluator: torch.nn.Module, images: torch.Tensor, k: int = 5) -> Figure:
        """Each face beside its k nearest training faces in the evaluator's feature space."""
        from hw3.eval.features import extract_readout, to_uint8
        from hw3.eval.memorisation import nearest_training_images, plot_nearest_training_images

        faces = to_uint8(images.cpu())
        indices, distances = nearest_training_images(extract_readout(evaluator, faces).features, self.features, k)
        return plot_nearest_training_images(faces, self.dataset.images, indices, distances)


def readings_html(readings: list[FaceReading], asked: HairEyeTags | None, per_row: int, cell_px: int) -> str:
    """An HTML table laid out like the face grid: what the evaluator reads in each face, a ✓ or ✗
    against the tags asked for (none between two pairs)."""
    def mark(read: str, wanted: str | None) -> str:
        return "" if wanted is None else (" ✓" if read == wanted else " ✗")

    cells = [f"<td style='width:{cell_px}px;font-size:11px;text-align:center;vertical-align:top'>"
             f"{index + 1}: {html.escape(r.hair)} hair {r.hair_probability:.0%}{mark(r.hair, asked and asked.hair)}<br>"
             f"{html.escape(r.eyes)} eyes {r.eye_probability:.0%}{mark(r.eyes, asked and asked.eyes)}</td>"
             for index, r in enumerate(readings)]
    rows = ["<tr>" + "".join(cells[start:start + per_row]) + "</tr>" for start in range(0, len(cells), per_row)]
    return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"


class Explorer:
    """Dropdowns, a free-text box and sliders that redraw a face grid, with the evaluator's
    reading of each face and the nearest training faces on demand. `widget` is what a notebook
    displays; every callback is a method that tests call directly."""

    PER_ROW = 4
    SCALE = 2  # faces shown at twice their 64 px

    def __init__(self, generator: Generator, evaluator: torch.nn.Module | None = None,
                 vectors_loader: Callable[[], object] | None = None,
                 training_faces_loader: Callable[[], TrainingFaces] | None = None,
                 request: FaceRequest = FaceRequest()):
        import ipywidgets as widgets

        self.generator, self.evaluator = generator, evaluator
        self._vectors_loader, self._vectors = vectors_loader, None
        self._training_faces_loader, self._training_faces = training_faces_loader, None
        self.images: torch.Tensor | None = None
        self._holding = False
        self.hair = widgets.Dropdown(options=HAIR_COLOURS, value=request.tags_from.hair, description="hair")
        self.eyes = widgets.Dropdown(options=EYE_COLOURS, value=request.tags_from.eyes, description="eyes")
        self.hair_to = widgets.Dropdown(options=HAIR_COLOURS, value=request.tags_to.hair, description="→ hair")
        self.eyes_to = widgets.Dropdown(options=EYE_COLOURS, value=request.tags_to.eyes, description="→ eyes")
        self.tag_mix = widgets.FloatSlider(value=request.tag_mix, min=0, max=1, step=0.05, description="tag walk")
        self.seed = widgets.IntSlider(value=request.seed_from, min=0, max=999, description="seed")
        self.seed_to = widgets.IntSlider(value=request.seed_to, min=0, max=999, description="→ seed")
        self.seed_mix = widgets.FloatSlider(value=request.seed_mix, min=0, max=1, step=0.05, description="seed walk")
        self.truncation = widgets.FloatSlider(value=request.truncation, min=0, max=3, step=0.25,
                                              description="truncation", tooltip="0: none")
        self.count = request.count
        self.text = widgets.Text(placeholder="e.g. long blonde hair with green eyes", description="free text",
                                 continuous_update=False, layout=widgets.Layout(width="420px"))
        self.message = widgets.HTML()
        width = self.SCALE * (self.PER_ROW * 66 + 2)
        self.grid = widgets.Image(format="png", width=width)
        self.readings = widgets.HTML()
        self.nearest_button = widgets.Button(description="nearest training faces")
        self.nearest = widgets.Image(format="png")
        for control in (self.hair, self.eyes, self.hair_to, self.eyes_to, self.tag_mix, self.seed, self.seed_to,
                        self.seed_mix, self.truncation):
            control.observe(self.redraw, names="value")
        self.text.observe(self.apply_text, names="value")
        self.nearest_button.on_click(self.show_nearest)
        self.widget = widgets.VBox([
            widgets.HBox([self.hair, self.eyes]), self.text,
            widgets.HBox([self.hair_to, self.eyes_to, self.tag_mix]),
            widgets.HBox([self.seed, self.seed_to, self.seed_mix]), self.truncation,
            self.message, self.grid, self.readings, self.nearest_button, self.nearest,
        ])
        self.redraw()

    def request(self) -> FaceRequest:
        return FaceRequest(HairEyeTags(self.hair.value, self.eyes.value), HairEyeTags(self.hair_to.value, self.eyes_to.value),
                           float(self.tag_mix.value), int(self.seed.value), int(self.seed_to.value),
                           float(self.seed_mix.value), float(self.truncation.value), self.count)

    def redraw(self, change=None) -> None:
        if self._holding:
            return
        request = self.request()
        self.images = draw_request(self.generator, request)
        self.grid.value = png_bytes(grid_pixels(self.images, self.PER_ROW))
        if self.evaluator is not None:
            readings = read_faces(self.evaluator, self.images)
            self.readings.value = readings_html(readings, request.tags, self.PER_ROW, self.SCALE * 66)
        self.nearest.value = b""  # the nearest faces belonged to the faces before

    def apply_text(self, change=None) -> None:
        """Resolve the free text to a tag pair and draw it; a phrase it cannot read is shown, not raised."""
        text = self.text.value.strip()
        if not text:
            return
        if self._vectors_loader is None:
            self.message.value = "free text needs the word vectors (weights/word_vectors, made by `make vectors`)"
            return
        try:
            if self._vectors is None:
                self._vectors = self._vectors_loader()
            tags, decisions = resolve_free_text(text, self._vectors)
        except InputError as error:
            self.message.value = f"<span style='color:#b00'>{html.escape(str(error))}</span>"
            return
        self._holding = True
        try:
            self.hair.value, self.eyes.value, self.tag_mix.value = tags.hair, tags.eyes, 0.0
        finally:
            self._holding = False
        self.message.value = "<br>".join(html.escape(decision) for decision in decisions)
        self.redraw()

    def show_nearest(self, button=None) -> None:
        """Each face of the grid beside its nearest training faces; a message when the data is absent."""
        if self.evaluator is None or self._training_faces_loader is None:
            self.message.value = "nearest training faces need the evaluator and the data set"
            return
        try:
            if self._training_faces is None:
                self.message.value = "reading the training faces and their evaluator features (once)…"
                self._training_faces = self._training_faces_loader()
        except InputError as error:
            self.message.value = f"<span style='color:#b00'>{html.escape(str(error))}</span>"
            return
        self.message.value = ""
        self.nearest.value = figure_png(self._training_faces.nearest_figure(self.evaluator, self.images))

    def set_request(self, request: FaceRequest) -> None:
        """Move every control at once and redraw once (what a notebook cell or a test calls)."""
        self._holding = True
        try:
            self.hair.value, self.eyes.value = request.tags_from.hair, request.tags_from.eyes
            self.hair_to.value, self.eyes_to.value = request.tags_to.hair, request.tags_to.eyes
            self.tag_mix.value, self.seed.value, self.seed_to.value = request.tag_mix, request.seed_from, request.seed_to
            self.seed_mix.value, self.truncation.value = request.seed_mix, request.truncation
        finally:
            self._holding = False
        self.redraw()


def walk_figure(generator: Generator, request: FaceRequest, steps: int = 8, along: str = "tags") -> Figure:
    """A static strip for readers without a kernel: the request's faces as the tag (or seed) mix
    goes from 0 to 1, one row per face."""
    if along not in ("tags", "seeds"):
        raise InputError(f"walk_figure: along='{along}' (expected 'tags' or 'seeds')")
    field = "tag_mix" if along == "tags" else "seed_mix"
    columns = [draw_request(generator, replace(request, **{field: float(w)})) for w in np.linspace(0, 1, steps)]
    images = torch.stack(columns, dim=1).flatten(0, 1)  # (count * steps, 3, 64, 64), a row per face
    width, height = steps * 0.66 + 0.1, request.count * 0.66 + 0.4  # one image pixel per screen pixel at 100 dpi
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes((0.05 / width, 0.02 / height, 1 - 0.1 / width, 1 - 0.4 / height))
    axes.imshow(grid_pixels(images, steps), interpolation="nearest")
    axes.set_axis_off()
    if along == "tags":
        title = (f"{request.tags_from.hair}/{request.tags_from.eyes} → {request.tags_to.hair}/{request.tags_to.eyes}, "
                 f"seed {request.seed_from}")
    else:
        title = f"seed {request.seed_from} → {request.seed_to}, {request.tags_from.hair} hair, {request.tags_from.eyes} eyes"
    figure.suptitle(title, fontsize=9)
    return figure
