"""Every command checks its numbers and inputs before any work, and a Ctrl-C ends in one line:
where it stopped, how to go on, exit status 130. Numbers are the sweep's findings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hw3
from course_replica import write_course_replica
from cli_run import assert_one_line_exit_2, run
from hw3.cli import main
from hw3.errors import InputError
from hw3.train.checkpoint import list_checkpoints

REPO = Path(__file__).resolve().parents[1]
NOWHERE = "/nonexistent/hw3-hardening"




EVALUATE = ["evaluate", "--generator", NOWHERE]
EVALUATOR = ["evaluator", "train", "--data", NOWHERE]


@pytest.mark.parametrize("args, flag", [
    (EVALUATE + ["--num-samples", "0"], "--num-samples"),  # 10
    (EVALUATE + ["--num-samples", "-5"], "--num-samples"),
    (EVALUATE + ["--num-samples", "1000000000"], "--num-samples"),  # 15: 10.8 GB in 25 s
    (EVALUATE + ["--seed", "-1"], "--seed"),
    (EVALUATE + ["--cas", "--cas-steps", "0"], "--cas-steps"),  # refused after 28 s before
    (["report", "--num-samples", "0"], "--num-samples"),
    (["report", "--seed", "-1"], "--seed"),
    (EVALUATOR + ["--steps", "0"], "--steps"),
    (EVALUATOR + ["--batch-size", "0"], "--batch-size"),
    (EVALUATOR + ["--learning-rate", "nan"], "--learning-rate"),
    (EVALUATOR + ["--learning-rate", "-1"], "--learning-rate"),
    (EVALUATOR + ["--class-weight-power", "nan"], "--class-weight-power"),  # 4: wrote NaN weights
    (["text", "train", "--data", NOWHERE, "--out", NOWHERE, "--seed", "-1"], "--seed"),
    (["data", "render", "--out", NOWHERE, "--n", "1000000000000"], "--n"),  # 15: OOM at 23.7 GB
    (["data", "render", "--out", NOWHERE, "--n", "5", "--workers", "100000"], "--workers"),  # 2,400 processes
    (["data", "import", "--extra", NOWHERE, "--out", NOWHERE, "--workers", "100000"], "--workers"),
    (["grade", NOWHERE, "--time-limit", "nan"], "--time-limit"),  # 6
    (["grade", NOWHERE, "--time-limit", "inf"], "--time-limit"),
    (["grade", NOWHERE, "--faces-per-pair", "0"], "--faces-per-pair"),
])
def test_a_bad_number_is_one_line_naming_the_flag(args, flag):
    status, stderr = run(args)
    assert_one_line_exit_2(status, stderr, f"argument {flag}: expected ")


def test_every_bound_is_in_the_help(capsys):
    assert main(["evaluate", "--help"]) == 0
    assert "generated faces, an integer in [10, 50_000]" in " ".join(capsys.readouterr().out.split())


def test_word_vectors_of_the_wrong_kind_are_one_line():
    status, stderr = run(["text", "measure", "--vectors", str(REPO / "weights" / "acgan.safetensors"),
                          "--out", NOWHERE])
    assert_one_line_exit_2(status, stderr, "acgan.json: kind 'generator' is no word-vectors kind")


def test_too_few_samples_to_measure_fail_before_any_face_is_drawn(tmp_path):
    from hw3.train.recipes import smoke_data_root

    data = smoke_data_root(seed=0, num_train=64, num_test_per_pair=2)
    status, stderr = run(["evaluate", "--generator", str(REPO / "weights" / "acgan.safetensors"), "--data",
                          str(data), "--num-samples", "30", "--out-dir", str(tmp_path / "evaluation")])
    progress, _, error = stderr.replace("\r", "\n").rstrip().rpartition("\n")  # the real sets' progress bars
    assert_one_line_exit_2(status, error, "30 samples leave no tag pair with two generated and two real")
    assert "Traceback" not in progress
    assert not (tmp_path / "evaluation" / "results.jsonl").exists()


def test_restyle_caps_its_tag_lines(tmp_path):
    tags = tmp_path / "tags.txt"
    tags.write_text("".join(f"{i},blue hair red eyes\n" for i in range(101)))
    start = time.perf_counter()
    status, stderr = run(["restyle", "--input", str(REPO / "examples" / "style_input.png"), "--tags", str(tags),
                          "--out", str(tmp_path / "style.png")])
    assert_one_line_exit_2(status, stderr, "101 tag lines (expected at most 100)")
    assert time.perf_counter() - start < 10 and not (tmp_path / "style.png").exists()


def test_api_errors_name_the_parameter_not_the_flag():
    for call, message in [(lambda: hw3.generate(1001), "tags=1001: expected a whole number of faces"),
                          (lambda: hw3.generate(2, seed=-1), "seed=-1: expected a non-negative integer"),
                          (lambda: hw3.generate(2, truncation=float("nan")), "truncation=nan: expected"),
                          (lambda: hw3.generate([("blue", "red")], generator=REPO / "weights" / "dcgan.safetensors"),
                           "takes no tags (expected tags=N or tags=None)")]:
        with pytest.raises(InputError) as caught:
            call()
        assert message in str(caught.value) and "--" not in str(caught.value), caught.value


def submission_that_records_its_runs(root: Path, marker: Path, body: str = "") -> Path:
    root.mkdir()
    for script in ("run_gan.sh", "run_cgan.sh"):
        (root / script).write_text(f"#!/usr/bin/env bash\necho {script} >> '{marker}'\n{body}\n")
    return root


@pytest.mark.parametrize("tags, expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", ":1: not UTF-8 text"),  # 12: graded after run_gan.sh ran
    (b"1,silver hair red eyes\n", ":1: unknown hair colour 'silver'"),  # 6: graded "crashed", exit 0
])
def test_grade_checks_the_tags_file_before_any_script_runs(tmp_path, tags, expected):
    marker = tmp_path / "ran.txt"
    submission = submission_that_records_its_runs(tmp_path / "submission", marker)
    (tmp_path / "tags.txt").write_bytes(tags)
    status, stderr = run(["grade", str(submission), "--tags", str(tmp_path / "tags.txt"), "--data", "none",
                          "--out", str(tmp_path / "out")])
    assert_one_line_exit_2(status, stderr, f"tags.txt{expected}")
    assert not marker.exists()


def test_grade_refuses_a_data_root_without_a_test_split(tmp_path):
    marker = tmp_path / "ran.txt"
    submission = submission_that_records_its_runs(tmp_path / "submission", marker)
    status, stderr = run(["grade", str(submission), "--data", NOWHERE, "--out", str(tmp_path / "out")])
    assert_one_line_exit_2(status, stderr, f"--data {NOWHERE}: no test/images folder")  # 6: FID dropped silently
    assert not marker.exists()


# Random values for the numeric flags of commands whose other inputs do not exist: every one
# ends in one line and exit 2, whether the number or the missing input is refused.
NUMBER_FLAGS = {"evaluate": ("--num-samples", "--seed", "--cas-steps"), "report": ("--num-samples", "--seed"),
                "evaluator train": ("--steps", "--seed", "--batch-size", "--learning-rate", "--class-weight-power"),
                "data render": ("--n", "--seed", "--n-test-per-pair", "--workers"),
                "grade": ("--time-limit", "--faces-per-pair")}
FIXED = {"evaluate": ["--generator", NOWHERE, "--out-dir", NOWHERE],
         "report": ["--weights", NOWHERE, "--data", NOWHERE, "--out", NOWHERE],
         "evaluator train": ["--data", NOWHERE, "--out", f"{NOWHERE}/evaluator.safetensors"],
         "data render": ["--out", f"{REPO / 'README.md'}/data", "--n", "4"], "grade": [NOWHERE, "--out", NOWHERE]}
NUMBERS = st.one_of(st.sampled_from(["0", "-1", "1", "nan", "inf", "-inf", "1e400", "9" * 5000, "1_000", "0x10",
                                     " 3 ", "", "2.5", "１２"]),
                    st.integers(-10**20, 10**20).map(str), st.floats().map(repr), st.text(max_size=8))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(NUMBER_FLAGS)).flatmap(
    lambda command: st.tuples(st.just(command), st.lists(st.tuples(st.sampled_from(NUMBER_FLAGS[command]), NUMBERS),
                                                         max_size=3))))
def test_random_numbers_end_in_one_line_and_exit_2(command_and_flags):
    command, flags = command_and_flags
    args = [*command.split(), *FIXED[command]]
    for flag, value in flags:
        args.append(f"{flag}={value}")  # `=`: a value may start with '-'
    status, stderr = run(args)
    assert_one_line_exit_2(status, stderr)


# Ctrl-C (finding 13): a terminal sends SIGINT to the command's whole process group.
def start_in_own_group(args: list[str]) -> subprocess.Popen:
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "hw3", *args], cwd=REPO, env=environment, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def interrupt(process: subprocess.Popen, ready, within_s: float = 120) -> str:
    """SIGINT to the group once `ready()`; -> stderr, after checking exit 130 and no process left."""
    deadline = time.time() + within_s
    while not ready() and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read()
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(process.pid, 0)
    return stderr


def test_ctrl_c_in_train_says_where_it_stopped_and_how_to_resume(tiny_data_root, tmp_path):
    run_dir = tmp_path / "run"
    args = ["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--data", str(tiny_data_root),
            "--out", str(run_dir), "--device", "cpu", "--no-progress", "--steps", "100000"]
    for item in ("generator.ngf=8", "discriminator.ndf=8", "batch_size=8", "evaluation.every=0",
                 "checkpoint_every=2", "sample_every=1000"):
        args += ["--set", item]
    stderr = interrupt(start_in_own_group(args), lambda: len(list_checkpoints(run_dir)) >= 2)
    last = stderr.strip().splitlines()[-1]
    match = re.fullmatch(r"hw3 train: stopped at step ([\d,]+) \(last checkpoint (\S+)\); resume with: (.+)", last)
    assert match, stderr
    assert Path(match[2]) in list_checkpoints(run_dir)  # the newest, unless Ctrl-C came as one was renamed in
    assert match[3].startswith("hw3 train --config ") and match[3].endswith(f"--out {run_dir} --device cpu "
                                                                              "--no-progress --steps 100000 --set "
                                                                              "generator.ngf=8 --set discriminator.ndf=8 "
                                                                              "--set batch_size=8 --set evaluation.every=0 "
                                                                              "--set checkpoint_every=2 --set "
                                                                              "sample_every=1000 --resume")


def test_ctrl_c_in_data_render_stops_the_workers_and_says_what_is_left(tmp_path):
    out = tmp_path / "data"
    images = out / "train" / "images"
    process = start_in_own_group(["data", "render", "--out", str(out), "--n", "100000", "--workers", "2"])
    stderr = interrupt(process, lambda: images.is_dir() and len(os.listdir(images)) > 20)
    last = stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert re.fullmatch(rf"hw3 data render: stopped after [\d,]+ of 105,280 images, before any tags file was "
                        rf"written, so {out} is no data set yet; run the same command again", last), stderr
    assert not (out / "train" / "tags.csv").exists()


def test_ctrl_c_in_data_import_leaves_the_earlier_import_whole(tmp_path, monkeypatch, capsys):
    import hw3.data.course.staging as staging

    replica = write_course_replica(tmp_path / "course")
    out = tmp_path / "imported"
    args = ["data", "import", "--faces", str(replica["faces"]), "--faces-tags", str(replica["faces_tags"]),
            "--extra", str(replica["extra"]), "--out", str(out), "--no-progress", "--workers", "1"]
    assert main(args) == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    decode, calls = staging.decode_face, []

    def interrupted_decode(path):
        calls.append(path)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return decode(path)

    monkeypatch.setattr(staging, "decode_face", interrupted_decode)
    capsys.readouterr()
    assert main(args) == 130
    assert capsys.readouterr().err == (f"hw3 data import: stopped before the import was complete; {out} is as it "
                                       "was (the new import is assembled beside it and renamed in only at the end); "
                                       "run the same command again\n")
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_ctrl_c_in_grade_ends_the_script_it_runs(tmp_path):
    marker, pid_file = tmp_path / "ran.txt", tmp_path / "script.pid"
    submission = submission_that_records_its_runs(tmp_path / "submission", marker,
                                                  f"echo $$ > '{pid_file}'\nsleep 120")
    process = start_in_own_group(["grade", str(submission), "--data", "none", "--out", str(tmp_path / "out")])
    stderr = interrupt(process, lambda: pid_file.exists() and pid_file.read_text().strip())
    assert stderr.strip().splitlines()[-1] == ("hw3 grade: interrupted before it finished; run the same command "
                                               "again to redo it")
    with pytest.raises(ProcessLookupError):  # the script ran in a session of its own: Ctrl-C missed it
        os.kill(int(pid_file.read_text()), 0)
