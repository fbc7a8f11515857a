"""The run scripts (and extra_run.sh) give the committed bytes whatever vector unit and kernels the CPU offers.

Each run pins one setting of each knob that changes which CPU kernels run: ATen's vectorised
kernels (ATEN_CPU_CAPABILITY), oneDNN's instruction set (DNNL_MAX_CPU_ISA) and MKL's code path
(MKL_CBWR, which also stands in for an older CPU's MKL). Only settings this CPU supports are
used (from /proc/cpuinfo); every supported value of each knob appears in some run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from hw3.sampling.faces import DEFAULT_CONDITIONAL, DEFAULT_UNCONDITIONAL, draw_faces, load_checked_generator
from hw3.tags import read_tag_lines

REPO = Path(__file__).resolve().parents[1]
KNOBS = ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "MKL_CBWR")
AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq"}


def cpu_flags() -> set[str]:
    flags: set[str] = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    return flags


def supported_settings(flags: set[str]) -> list[dict[str, str]]:
    """One run per row, lowest instruction sets first; each knob's values cycle so every one is used."""
    aten = ["default"] + ["avx2"] * ("avx2" in flags) + ["avx512"] * AVX512.issubset(flags)
    dnnl = ["SSE41"] * ("sse4_1" in flags) + ["AVX2"] * ("avx2" in flags) + ["AVX512_CORE"] * AVX512.issubset(flags)
    mkl = (["COMPATIBLE"] + ["SSE4_2"] * ("sse4_2" in flags) + ["AVX2"] * ("avx2" in flags)
           + ["AVX512"] * AVX512.issubset(flags))
    runs = max(len(aten), len(dnnl), len(mkl))
    return [dict(zip(KNOBS, (values[i % len(values)] for values in (aten, dnnl, mkl)))) for i in range(runs)]


def test_settings_cover_every_supported_value():
    settings = supported_settings({"sse4_1", "sse4_2", "avx2", *AVX512})
    assert {s["ATEN_CPU_CAPABILITY"] for s in settings} == {"default", "avx2", "avx512"}
    assert {s["DNNL_MAX_CPU_ISA"] for s in settings} == {"SSE41", "AVX2", "AVX512_CORE"}
    assert {s["MKL_CBWR"] for s in settings} == {"COMPATIBLE", "SSE4_2", "AVX2", "AVX512"}
    assert supported_settings({"sse4_1", "sse4_2"}) == [
        {"ATEN_CPU_CAPABILITY": "default", "DNNL_MAX_CPU_ISA": "SSE41", "MKL_CBWR": "COMPATIBLE"},
        {"ATEN_CPU_CAPABILITY": "default", "DNNL_MAX_CPU_ISA": "SSE41", "MKL_CBWR": "SSE4_2"},
    ]


@pytest.mark.slow
@pytest.mark.parametrize("script, committed", [
    (["run_cgan.sh", "testing_tags.txt"], "cgan_original.png"),
    (["run_gan.sh"], "gan_original.png"),
])
def test_run_scripts_give_the_committed_bytes_under_every_cpu_setting(tmp_path, script, committed):
    expected = (REPO / "samples" / committed).read_bytes()
    settings = [{}] + supported_settings(cpu_flags())
    for index, setting in enumerate(settings):
        environment = {key: value for key, value in os.environ.items() if key not in KNOBS} | setting
        out = tmp_path / f"{index}.png"
        result = subprocess.run(["bash", str(REPO / script[0]), *script[1:], "--out", str(out)], cwd=REPO,
                                env=environment, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (setting, result.stderr)
        assert out.read_bytes() == expected, f"{script[0]} under {setting or 'no setting'} differs from samples/{committed}"


@pytest.mark.slow
def test_extra_run_gives_the_committed_bytes_under_every_cpu_setting(tmp_path):
    """extra_run.sh restyles with the translator by default: one float64 forward pass on ATen's
    plain kernels, like run_cgan.sh's replay."""
    expected = (REPO / "samples" / "style.png").read_bytes()
    for index, setting in enumerate([{}] + supported_settings(cpu_flags())):
        environment = {key: value for key, value in os.environ.items() if key not in KNOBS} | setting
        out = tmp_path / f"{index}.png"
        result = subprocess.run(["bash", str(REPO / "extra_run.sh"), "examples/style_input.png",
                                 "examples/style_tags.txt", "--out", str(out)],
                                cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (setting, result.stderr)
        assert out.read_bytes() == expected, f"extra_run.sh under {setting or 'no setting'} differs from samples/style.png"


@pytest.mark.parametrize("path, conditional", [(DEFAULT_CONDITIONAL, True), (DEFAULT_UNCONDITIONAL, False)])
def test_shipped_faces_sit_far_from_a_rounding_boundary(path, conditional):
    """CPUs differ by about 1e-14 in the float64 replay; a value within 1e-9 of a level boundary
    would make that matter. (Fails if new weights happen to put a pixel there: then another
    seed or weights are needed, not a looser test.)"""
    tags = [line.tags for line in read_tag_lines(REPO / "testing_tags.txt")] if conditional else None
    generator = load_checked_generator(path, tags, None)
    faces = draw_faces(generator, tags, 25, seed=0)
    assert faces.dtype == torch.float64
    levels = (faces.clamp(-1, 1) + 1) * 127.5 + 0.5
    distance = (levels - levels.round()).abs()
    interior = (faces.abs() < 1).numpy()  # clamped values are exact
    assert np.min(distance.numpy()[interior]) > 1e-9
