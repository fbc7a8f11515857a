"""Every notebook runs top to bottom under papermill with its smoke parameters, and every cell
tagged `figure` shows a figure; the rendered copies in report/notebooks/ are current."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
RENDERED_DIR = REPO / "report" / "notebooks"
EXPECTED = ["00_data", "01_dcgan", "02_cgan", "03_wgan_gp", "04_acgan", "05_evaluation", "06_explore",
            "07_style_transfer", "08_diffusion"]
FOUND = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS = sorted(set(EXPECTED) | set(FOUND))
CELL_TIMEOUT_S = 240  # a smoke cell takes seconds; minutes on a loaded 2-core machine


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _parameter_names(notebook) -> set[str]:
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    return {target.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _figure_cells_without_image(notebook) -> list[str]:
    return [cell.source.splitlines()[0] for cell in notebook.cells
            if cell.cell_type == "code" and "figure" in cell.metadata.get("tags", [])
            and not any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))]


def _errors(notebook) -> list[str]:
    return [f"{output.get('ename')}: {output.get('evalue')}" for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def _execute(name: str, tmp_path: Path, monkeypatch, **parameters):
    import papermill

    # The kernel comes from this environment, never from a name stored in the notebook.
    monkeypatch.setenv("JUPYTER_PATH", str(Path(os.sys.prefix) / "share" / "jupyter"))
    source = _read(NOTEBOOK_DIR / f"{name}.ipynb")
    declared = _parameter_names(source)
    # Whatever a notebook writes goes to tmp_path.
    for key in ("out_dir", "runs_dir"):
        if key in declared:
            parameters.setdefault(key, str(tmp_path / key))
    out = tmp_path / f"{name}.ipynb"
    from nbclient.exceptions import CellTimeoutError

    for attempt in range(2):
        try:
            papermill.execute_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"), str(out), kernel_name="python3",
                                       parameters={"smoke": True, **parameters}, cwd=str(NOTEBOOK_DIR),
                                       execution_timeout=CELL_TIMEOUT_S, progress_bar=False)
            break
        except CellTimeoutError:
            # A kernel that never answers its first request, idle on both sides (papermill issue
            # 711, jupyter_client 922), happens now and then at start-up; a second kernel runs.
            # A cell that really hangs times out again and fails.
            if attempt == 1:
                raise
    return _read(out)


def test_every_expected_notebook_exists():
    assert set(EXPECTED) <= set(FOUND), f"missing: {sorted(set(EXPECTED) - set(FOUND))}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_code_cell_holds_the_parameters(name):
    notebook = _read(NOTEBOOK_DIR / f"{name}.ipynb")
    first_code = next(c for c in notebook.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", []), "first code cell must be tagged 'parameters'"
    assert "smoke" in _parameter_names(notebook)
    assert any("figure" in c.metadata.get("tags", []) for c in notebook.cells), "no cell tagged 'figure'"
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), \
        "sources are kept without outputs; `make notebooks` renders them into report/notebooks/"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_smoke_mode_and_shows_its_figures(name, tmp_path, monkeypatch):
    executed = _execute(name, tmp_path, monkeypatch)
    assert not _errors(executed)
    assert not _figure_cells_without_image(executed)


@pytest.mark.slow
def test_a_variant_notebook_trains_when_asked(tmp_path, monkeypatch):
    """quick = True trains (smoke: 3 steps of small networks) and shows that run, with the shipped
    generator's results beside it."""
    executed = _execute("04_acgan", tmp_path, monkeypatch, quick=True)
    assert not _errors(executed)
    assert not _figure_cells_without_image(executed)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "trained here" in printed and "acgan_quick" in printed
    assert (tmp_path / "runs_dir" / "acgan_quick" / "log.jsonl").is_file()


def _without_injected(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in notebook.cells if "injected-parameters" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_rendered_notebook_is_current(name):
    """report/notebooks/<name>.ipynb is the notebook as it is, run by `make notebooks`: same cells,
    no error, a figure in every figure cell."""
    rendered_path = RENDERED_DIR / f"{name}.ipynb"
    assert rendered_path.is_file(), f"{rendered_path} missing: run `make notebooks`"
    rendered = _read(rendered_path)
    assert _without_injected(rendered) == _without_injected(_read(NOTEBOOK_DIR / f"{name}.ipynb")), \
        f"{rendered_path} is stale: run `make notebooks`"
    assert not _errors(rendered)
    assert not _figure_cells_without_image(rendered)
