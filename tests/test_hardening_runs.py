"""A run whose checkpoint metadata is damaged: the resume config check still holds (it reads the
checkpoint the resume loads), and export and resume refuse with one line (issue 23: findings 3, 11)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hw3.cli import main
from hw3.errors import InputError
from hw3.train.checkpoint import list_checkpoints, read_checkpoint_meta
from hw3.train.config import load_config
from hw3.train.loop import train

REPO = Path(__file__).resolve().parents[1]
TINY = ["generator.ngf=8", "discriminator.ndf=8", "batch_size=8", "log_every=1", "sample_every=1000",
        "checkpoint_every=3", "keep_checkpoints=10", "evaluation.every=0"]


def tiny_config(data_root: Path, out_dir: Path, steps: int, extra: tuple[str, ...] = ()):
    return load_config(REPO / "configs" / "dcgan.toml", TINY + list(extra), {
        "data.root": str(data_root), "out_dir": str(out_dir), "num_steps": steps, "device": "cpu"})


@pytest.fixture(scope="module")
def finished_run(tiny_data_root, tmp_path_factory) -> Path:
    """Checkpoints at steps 3 and 6."""
    run_dir = tmp_path_factory.mktemp("runs") / "run"
    train(tiny_config(tiny_data_root, run_dir, 6), progress=False)
    assert [path.name for path in list_checkpoints(run_dir)] == ["step_0000003", "step_0000006"]
    return run_dir


@pytest.fixture
def run_copy(finished_run, tmp_path) -> Path:
    shutil.copytree(finished_run, tmp_path / "run")
    return tmp_path / "run"


def test_a_corrupt_latest_meta_still_checks_the_config_against_the_checkpoint_resumed(
        run_copy, tiny_data_root, capsys):
    (run_copy / "checkpoints" / "step_0000006" / "meta.json").write_text("x\n")
    other_lr = ("optimizer.lr_generator=0.0001",)
    with pytest.raises(InputError, match="step_0000003/meta.json: the config differs from the checkpoint's: "
                                         "optimizer.lr_generator 0.0002 -> 0.0001"):
        train(tiny_config(tiny_data_root, run_copy, 9, other_lr), resume=True, progress=False)
    result = train(tiny_config(tiny_data_root, run_copy, 9, other_lr), resume=True, progress=False,
                   allow_config_change=True)
    assert result.step == 9
    assert "step_0000006: cannot be loaded" in capsys.readouterr().err  # the resume says which it skipped
    changes = read_checkpoint_meta(run_copy / "checkpoints" / "step_0000009")["config_changes"]
    assert changes == [{"step": 3, "changes": {"optimizer.lr_generator": [0.0002, 0.0001]}}]


@pytest.mark.parametrize("damage", ["x\n", '{"config": "x", "step": 6}', b'{"config": {"name": "\xff"}}'])
def test_a_resume_with_no_readable_meta_is_refused_with_one_line(run_copy, tiny_data_root, damage):
    for checkpoint in list_checkpoints(run_copy):
        meta = checkpoint / "meta.json"
        meta.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
    with pytest.raises(InputError) as error:
        train(tiny_config(tiny_data_root, run_copy, 9), resume=True, progress=False)
    message = str(error.value)
    assert "\n" not in message and "step_0000006/meta.json" in message
    assert f"no checkpoint of {run_copy} has a readable meta.json" in message


@pytest.mark.parametrize("damage, words", [
    ("x\n", "meta.json:1: not JSON"),
    ('{"config": "x", "step": 6}', "'config' is not an object"),
    ('{"config": {"name": "dcgan"}, "step": 6, "seed": 0, "command": "c", "git_commit": "g"}',
     "the config has no 'name' or no 'generator' object"),
    ('{"config": {"name": "dcgan", "generator": {"ngf": "wide"}}, "step": 6, "seed": 0, "command": "c", '
     '"git_commit": "g"}', "generator field 'ngf' is"),
    ('{"step": 6}', "no 'config' object"),
])
def test_export_of_damaged_metadata_is_one_line(run_copy, tmp_path, capsys, damage, words):
    checkpoint = run_copy / "checkpoints" / "step_0000006"
    (checkpoint / "meta.json").write_text(damage)
    out = tmp_path / "g.safetensors"
    assert main(["export", "--run", str(checkpoint), "--out", str(out)]) == 2
    stderr = capsys.readouterr().err
    assert len(stderr.strip().splitlines()) == 1 and words in stderr and "Traceback" not in stderr, stderr
    assert not out.exists()


def test_export_still_writes_the_generator_and_its_sidecar(run_copy, tmp_path):
    out = tmp_path / "g.safetensors"
    assert main(["export", "--run", str(run_copy), "--out", str(out)]) == 0
    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert sidecar["step"] == 6 and sidecar["kind"] == "generator" and out.with_suffix(".log.jsonl").is_file()


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2, 10**6) | st.text(max_size=6),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                       max_size=3), max_leaves=8)
META_FIELDS = st.fixed_dictionaries({}, optional={
    "config": st.one_of(JSON_VALUES, st.fixed_dictionaries({}, optional={
        "name": JSON_VALUES, "task": st.sampled_from(["generate", "translate", 5]),
        "generator": st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(["z_dim", "ngf", "condition"]),
                                                            JSON_VALUES, max_size=3)),
        "translator": JSON_VALUES})),
    "step": JSON_VALUES, "seed": JSON_VALUES, "command": JSON_VALUES, "git_commit": JSON_VALUES})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.one_of(st.binary(max_size=120), META_FIELDS.map(lambda value: json.dumps(value).encode())))
def test_any_meta_json_exports_or_fails_with_one_line(run_copy, tmp_path, capsys, meta):
    checkpoint = run_copy / "checkpoints" / "step_0000006"
    (checkpoint / "meta.json").write_bytes(meta)
    status = main(["export", "--run", str(checkpoint), "--out", str(tmp_path / "g.safetensors")])
    stderr = capsys.readouterr().err
    assert status == 0 or (status == 2 and len(stderr.strip().splitlines()) == 1), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("task", [[], {"a": 1}, "paint", 7])
def test_a_recorded_task_the_loop_does_not_train_is_one_line(run_copy, tmp_path, capsys, task):
    checkpoint = run_copy / "checkpoints" / "step_0000006"
    meta = json.loads((checkpoint / "meta.json").read_text())
    meta["config"]["task"] = task
    (checkpoint / "meta.json").write_text(json.dumps(meta))
    for command in (["export", "--run", str(checkpoint), "--out", str(tmp_path / "g.safetensors")],
                    ["evaluate", "--generator", str(checkpoint), "--out-dir", str(tmp_path / "e")]):
        assert main(command) == 2
        stderr = capsys.readouterr().err.strip()
        assert len(stderr.splitlines()) == 1 and "config.task is" in stderr and "meta.json" in stderr, stderr
