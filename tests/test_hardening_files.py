"""Where commands write and what they read: one line and exit 2 for a path that cannot take the
result (checked before the long work), nothing replaced that is not a regular file, no earlier
import or checkpoint lost to a kill between the two renames of a replace, and every small file
read bounded, regular and UTF-8 checked (issue 23: findings 1, 2, 7, 9, 12, 14)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import assert_one_line_exit_2, run
from hw3.errors import InputError
from hw3.files import (
    aside_path, append_text, check_output_dir, check_output_file, recover_directory, replace_directory,
    write_text_atomic,
)
from hw3.reading import MAX_JSON_BYTES, read_json_lines, read_json_object, read_text

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "weights"




@contextlib.contextmanager
def within(seconds: int):
    """Fail, rather than hang, when a read blocks or never ends."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- Finding 1: no writer replaces a device node, FIFO or socket ---------------------------------

WRITERS = {
    "sample": lambda out, tmp: ["sample", "--generator", str(SHIPPED / "dcgan_sn.safetensors"), "--count", "2",
                                "--out", out],
    "export": lambda out, tmp: ["export", "--run", str(tmp / "no-run"), "--out", out],
    "evaluate": lambda out, tmp: ["evaluate", "--generator", str(SHIPPED / "acgan.safetensors"), "--out-dir", out],
    "report": lambda out, tmp: ["report", "--weights", str(tmp / "no-weights"), "--out", out],
    "grade": lambda out, tmp: ["grade", str(tmp), "--out", out],
    "train": lambda out, tmp: ["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--out", out],
    "ablate": lambda out, tmp: ["ablate", "--without-ema", "dcgan", "--results", out],
    "data import": lambda out, tmp: ["data", "import", "--extra", str(tmp), "--out", out],
    "data render": lambda out, tmp: ["data", "render", "--n", "10", "--out", out],
    "data figure": lambda out, tmp: ["data", "figure", "--data", str(tmp / "no-data"), "--out", out],
    "evaluator train": lambda out, tmp: ["evaluator", "train", "--data", str(tmp), "--out", out],
    "restyle": lambda out, tmp: ["restyle", "--input", str(tmp / "face.png"), "--tags",
                                 str(REPO / "testing_tags.txt"), "--out", out],
    "restyle-measure": lambda out, tmp: ["restyle-measure", "--data", str(REPO / "data" / "anime"), "--out", out],
    "text train": lambda out, tmp: ["text", "train", "--data", str(tmp), "--out", out],
    "text measure": lambda out, tmp: ["text", "measure", "--out", out],
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_no_command_writes_over_a_fifo(command, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with within(60):
        status, stderr = run(WRITERS[command](str(fifo), tmp_path))
    assert_one_line_exit_2(status, stderr, f"{fifo}: is a FIFO (expected")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_sample_onto_a_device_node_leaves_it_a_device(tmp_path):
    node = tmp_path / "nul"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("creating a device node needs root")
    status, stderr = run(WRITERS["sample"](str(node), tmp_path))
    assert_one_line_exit_2(status, stderr, f"{node}: is a character device (expected a PNG file path")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_the_atomic_writer_refuses_what_is_not_a_regular_file(tmp_path):
    fifo, sock = tmp_path / "fifo", tmp_path / "sock"
    os.mkfifo(fifo)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(sock))
        for path, kind in ((fifo, "a FIFO"), (sock, "a socket"), (tmp_path, "a directory")):
            with pytest.raises(InputError, match=f"is {kind}"):
                write_text_atomic(path, "text")
            with pytest.raises(InputError, match=f"is {kind}"):
                append_text(path, "text")
            with pytest.raises(InputError, match=f"is {kind}"):
                check_output_file(path)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "sock"]


# --- Finding 9: an output path that cannot be written is one line, before any work --------------

def test_output_paths_that_cannot_be_written_are_one_line(tmp_path):
    (tmp_path / "file.txt").write_text("a file, not a folder")
    file, nowhere = tmp_path / "file.txt", "/proc/hw3-nowhere"  # /proc refuses new files, even to root
    cases = [
        (["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--out", str(REPO / "README.md")],
         "README.md: is a file (expected a run directory"),
        (["export", "--run", str(tmp_path), "--out", ""], "'': not a path"),
        (["export", "--run", str(tmp_path), "--out", str(tmp_path)], "is a directory (expected a .safetensors"),
        (["export", "--run", str(tmp_path), "--out", str(file / "g.safetensors")], "file.txt is not a directory"),
        (["export", "--run", str(tmp_path), "--out", str(tmp_path / "g.json")], "the sidecar would be written over"),
        (["evaluator", "train", "--data", str(tmp_path), "--out", str(file / "e.safetensors")],
         "file.txt is not a directory"),
        (["evaluate", "--generator", str(SHIPPED / "acgan.safetensors"), "--out-dir", str(file)], "is a file"),
        (["report", "--out", str(file)], "file.txt: is a file (expected a folder for the report)"),
        (["grade", str(tmp_path), "--out", str(file)], "file.txt: is a file"),
    ]
    cases += [(args, "cannot write here (") for args in (
        ["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--out", nowhere],
        ["data", "import", "--extra", str(tmp_path), "--out", nowhere],
        ["data", "render", "--n", "10", "--out", nowhere],
        ["export", "--run", str(tmp_path), "--out", f"{nowhere}/g.safetensors"],
        ["evaluator", "train", "--data", str(tmp_path), "--out", f"{nowhere}/e.safetensors"],
    )]
    for args, message in cases:
        assert_one_line_exit_2(*run(args), message, args[-1] if args[-1] else "''")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing made, no probe left


def test_a_read_only_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)

    def refuse(*args, **kwargs):  # what a read-only folder answers, even to root (a read-only mount)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("hw3.files.tempfile.mkstemp", refuse)
    with pytest.raises(InputError, match="cannot write here"):
        check_output_dir(folder / "run")
    with pytest.raises(InputError, match="cannot write here"):
        check_output_file(folder / "x.png")


def test_an_unreadable_weights_file_is_one_line(tmp_path, monkeypatch):
    import hw3.weights

    weights = tmp_path / "g.safetensors"
    weights.write_bytes(b"weights")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(hw3.weights, "open", refuse, raising=False)
    with pytest.raises(InputError, match="g.safetensors: cannot read it \\(Permission denied"):
        hw3.weights.file_sha256(weights)


# --- Finding 2: replacing a folder never deletes the earlier one first ---------------------------

class Killed(BaseException):
    """What a kill looks like to the code: nothing after it runs (not even `except Exception`)."""


def kill_when_moved_to(monkeypatch, destination: Path) -> None:
    """os.replace as usual, except that moving anything onto `destination` kills the process."""
    real_replace = os.replace

    def replace(source, target, *args, **kwargs):
        if Path(target) == destination:
            raise Killed
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_a_kill_between_the_two_renames_leaves_the_earlier_folder_whole(tmp_path, monkeypatch):
    final, new = tmp_path / "data", tmp_path / "new"
    for folder, text in ((final, "earlier"), (new, "later")):
        (folder / "part").mkdir(parents=True)
        (folder / "part" / "file.txt").write_text(text)
    with monkeypatch.context() as patch:
        kill_when_moved_to(patch, final)
        with pytest.raises(Killed):
            replace_directory(new, final)
    assert not final.exists() and aside_path(final).is_dir()  # the earlier copy set aside, whole
    recover_directory(final)
    assert (final / "part" / "file.txt").read_text() == "earlier" and not aside_path(final).exists()
    replace_directory(new, final)
    assert (final / "part" / "file.txt").read_text() == "later" and not aside_path(final).exists()


def test_a_reader_that_restores_the_aside_copy_mid_replace_does_not_stop_the_writer(tmp_path, monkeypatch):
    final, new = tmp_path / "data", tmp_path / "new"
    for folder, text in ((final, "earlier"), (new, "later")):
        folder.mkdir()
        (folder / "file.txt").write_text(text)
    real_replace, raced = os.replace, []

    def replace(source, target):
        if Path(target) == final and not raced:
            raced.append(True)
            recover_directory(final)  # another command reading the data in between
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    replace_directory(new, final)
    assert raced and (final / "file.txt").read_text() == "later" and not aside_path(final).exists()


def test_an_import_killed_while_replacing_an_earlier_one_keeps_it(tiny_data_root, tmp_path, monkeypatch):
    from hw3.data.course.importer import CourseSource, ImportConfig, import_course_data
    from hw3.data.course.split import SplitConfig
    from hw3.data.dataset import load_split

    source = CourseSource("extra", tiny_data_root / "train" / "images", tiny_data_root / "train" / "tags.csv", "extra")
    out = tmp_path / "imp"
    config = ImportConfig((source,), out, SplitConfig(), workers=1, progress=False)
    import_course_data(config)
    earlier = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with monkeypatch.context() as patch:
        kill_when_moved_to(patch, out)
        with pytest.raises(Killed):
            import_course_data(ImportConfig((source,), out, SplitConfig(seed=1), workers=1, progress=False))
    assert not out.exists()
    assert len(load_split(out, "train")) == 48  # reading the data puts the earlier import back first
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
            if ".cache" not in p.parts} == earlier
    import_course_data(ImportConfig((source,), out, SplitConfig(seed=1), workers=1, progress=False))
    assert not aside_path(out).exists()


@pytest.mark.parametrize("best", [False, True])
def test_a_checkpoint_killed_while_being_replaced_keeps_the_earlier_one(tmp_path, monkeypatch, best):
    import torch

    from hw3.train.checkpoint import (
        TrainingState, best_checkpoint_dir, checkpoint_dir, list_checkpoints, read_checkpoint_meta, save_checkpoint,
    )

    networks = [torch.nn.Linear(2, 2) for _ in range(3)]
    state = TrainingState(*networks, torch.optim.Adam(networks[0].parameters()),
                          torch.optim.Adam(networks[1].parameters()), step=5)
    final = best_checkpoint_dir(tmp_path) if best else checkpoint_dir(tmp_path, 5)
    save_checkpoint(tmp_path, state, {"config": {}, "saved": "first"}, final=final)
    with monkeypatch.context() as patch:
        kill_when_moved_to(patch, final)
        with pytest.raises(Killed):
            save_checkpoint(tmp_path, state, {"config": {}, "saved": "second"}, final=final)
    assert not final.exists()
    recovered = best_checkpoint_dir(tmp_path) if best else list_checkpoints(tmp_path)[-1]
    assert recovered == final and read_checkpoint_meta(final)["saved"] == "first"
    assert sorted(p.name for p in final.iterdir()) == [
        "discriminator.safetensors", "generator.safetensors", "generator_ema.safetensors", "meta.json",
        "training_state.pt"]


# --- Findings 7 and 14: every small file is read bounded, regular and UTF-8 checked --------------

def copy_shipped(name: str, folder: Path) -> Path:
    weights = folder / f"{name}.safetensors"
    weights.write_bytes((SHIPPED / f"{name}.safetensors").read_bytes())
    weights.with_suffix(".json").write_bytes((SHIPPED / f"{name}.json").read_bytes())
    return weights


def test_a_non_utf8_sidecar_is_one_line_in_every_command(tmp_path):
    import hw3

    generator, evaluator = copy_shipped("dcgan_sn", tmp_path), copy_shipped("evaluator", tmp_path)
    for weights in (generator, evaluator):
        weights.with_suffix(".json").write_bytes(b'{"kind": "generator",\n "note": "caf\xe9"}')
    bad = "json:2: not UTF-8 text (expected the JSON sidecar"
    assert_one_line_exit_2(*run(["sample", "--generator", str(generator), "--count", "2",
                                 "--out", str(tmp_path / "x.png")]), bad)
    assert_one_line_exit_2(*run(["report", "--weights", str(tmp_path), "--out", str(tmp_path / "r")]), bad)
    assert_one_line_exit_2(*run(["evaluator", "test", "--weights", str(evaluator)]), bad)
    with pytest.raises(InputError, match=re.escape(bad)):
        hw3.generate(4, generator=generator)


def test_a_non_utf8_results_file_is_one_line(tmp_path):
    reference = tmp_path / "acgan.json"
    reference.write_bytes(b'{"fid": 1.0,\n"label": "\xff"}')
    status, stderr = run(["evaluate", "--generator", str(SHIPPED / "acgan.safetensors"), "--reference",
                          str(reference), "--out-dir", str(tmp_path / "e")])
    assert_one_line_exit_2(status, stderr, "acgan.json:2: not UTF-8 text (expected the shipped run's results")


def test_a_training_log_keeps_its_records_past_torn_or_non_utf8_lines(tmp_path):
    from hw3.train.log import read_log

    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"step": 1}\n{"step": 2, "name": "\xff"}\n{"step": 3}\n{"step": 4, "los')
    assert [record["step"] for record in read_log(log)] == [1, 3]
    log.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\nIHDR\x00\n")
    with pytest.raises(InputError, match="log.jsonl:1: not a JSON-lines file"):
        read_log(log)
    append_text(tmp_path / "torn.jsonl", '{"step": 1}\n')
    (tmp_path / "torn.jsonl").write_bytes((tmp_path / "torn.jsonl").read_bytes() + b'{"step": 2, "lo')
    append_text(tmp_path / "torn.jsonl", '{"step": 3}\n')  # after a writer stopped mid-line
    assert [record["step"] for record in read_json_lines(tmp_path / "torn.jsonl", "a log")] == [1, 3]


def test_a_truncated_restyle_rows_file_is_measured_again_not_a_traceback(tmp_path):
    from hw3.restyle.measure import read_done_rows

    rows = tmp_path / "restyle.rows.jsonl"
    rows.write_text('{"key": "k"}\n{"face": 0, "target": "a"}\n{"face": 1, "tar')
    assert read_done_rows(rows, "k") == [{"face": 0, "target": "a"}]
    for cut in ('{"ke', '["key"]\n{"face": 0}\n', "\x00\x00\x00\n\x00\n", ""):
        rows.write_text(cut)
        assert read_done_rows(rows, "k") == []
    rows.write_bytes(b"\xff\xfe\n\x00\xff\n")
    assert read_done_rows(rows, "k") == []


def test_unbounded_or_blocking_files_are_refused_at_once(tmp_path):
    weights = copy_shipped("dcgan_sn", tmp_path)
    weights.with_suffix(".json").unlink()
    weights.with_suffix(".json").symlink_to("/dev/zero")
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_JSON_BYTES + 1)  # sparse: no disk used
    with within(60):
        assert_one_line_exit_2(*run(["train", "--config", "/dev/zero"]),
                               "/dev/zero: is a character device (expected a TOML config)")
        assert_one_line_exit_2(*run(["train", "--config", str(fifo)]), "config.toml: is a FIFO")
        assert_one_line_exit_2(*run(["sample", "--generator", str(weights), "--count", "2",
                                     "--out", str(tmp_path / "x.png")]), "dcgan_sn.json: is a character device")
        with pytest.raises(InputError, match="huge.json: larger than 16,000,000 bytes"):
            read_json_object(huge, "a sidecar")
        tags = tmp_path / "tags.csv"
        tags.symlink_to("/dev/zero")
        (tmp_path / "images").mkdir()
        assert_one_line_exit_2(*run(["data", "import", "--extra", str(tmp_path / "images"), "--extra-tags",
                                     str(tags), "--out", str(tmp_path / "imp")]), "tags.csv: is a character device")


def test_text_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "meta.json"
    path.write_bytes(b'{\n"a": 1,\n"b": \xc3\n}')
    with pytest.raises(InputError, match=r"meta.json:3: not UTF-8 text \(expected a meta.json\)"):
        read_text(path, "a meta.json")
    path.write_bytes(b'{\n"a": 1,\n"b": }')
    with pytest.raises(InputError, match=r"meta.json:3: not JSON \(Expecting value; expected a meta.json\)"):
        read_json_object(path, "a meta.json")
    path.write_text("[" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_json_object(path, "a meta.json")
    path.write_text("\ufeff[1, 2]")
    with pytest.raises(InputError, match=r"meta.json:1: expected a JSON object \(a meta.json\)"):
        read_json_object(path, "a meta.json")
    with pytest.raises(InputError, match="no such file"):
        read_json_object(tmp_path / "absent.json", "a meta.json")
    with pytest.raises(InputError, match="is a directory"):
        read_json_object(tmp_path, "a meta.json")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                               lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                                            max_size=4),
                               max_leaves=12).map(lambda value: json.dumps(value).encode())))
def test_any_bytes_are_a_json_object_or_one_line_naming_the_file(data, tmp_path):
    path = tmp_path / "sidecar.json"
    path.write_bytes(data)
    for reader in (lambda: read_json_object(path, "a sidecar"), lambda: read_json_lines(path, "a log")):
        try:
            value = reader()
        except InputError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
        else:
            assert isinstance(value, (dict, list))
