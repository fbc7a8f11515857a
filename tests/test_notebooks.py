"""Every notebook runs top to bottom under papermill with its smoke parameters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_stage_has_a_notebook():
    stems = [name.split("_", 1)[1].removesuffix(".ipynb") for name in NOTEBOOKS]
    assert stems == ["data", "dcgan", "cgan", "wgan_gp", "acgan", "evaluation"][: len(stems)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_smoke_mode(name, tmp_path, monkeypatch):
    import nbformat
    import papermill

    # The kernel comes from this environment, never from a name stored in the notebook.
    monkeypatch.setenv("JUPYTER_PATH", str(Path(os.sys.prefix) / "share" / "jupyter"))
    source = nbformat.read(REPO / "notebooks" / name, as_version=4)
    assert "parameters" in source.cells[1].metadata.get("tags", []), "first code cell must be tagged 'parameters'"
    papermill.execute_notebook(
        str(REPO / "notebooks" / name), str(tmp_path / name), kernel_name="python3",
        parameters={"smoke": True, "seed": 0, "device": "cpu", "out_dir": str(tmp_path / "out")},
        cwd=str(REPO / "notebooks"), execution_timeout=600, progress_bar=False,
    )
    executed = nbformat.read(tmp_path / name, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
