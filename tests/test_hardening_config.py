"""Every config value is checked once, field by field, before anything is built: a bad one is
one line naming the file (or the flag, or the `--set`), the dotted key and what was expected."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hw3.bounds import Bounds, is_int
from hw3.cli import main
from hw3.config_fields import build_checked
from hw3.errors import InputError
from hw3.train.config import TrainConfig, load_config

REPO = Path(__file__).resolve().parents[1]
DCGAN = REPO / "configs" / "dcgan.toml"


def config_error(overrides: list[str], path: Path | None = DCGAN, **typed) -> str:
    with pytest.raises(InputError) as caught:
        load_config(path, overrides, typed, {"batch_size": "--batch-size", "seed": "--seed", "num_steps": "--steps"})
    message = str(caught.value)
    assert "\n" not in message and message.isprintable(), repr(message)
    return message


# Findings 4 and 8 of the sweep: each was accepted, or reached torch or numpy as a traceback.
@pytest.mark.parametrize("override, expected", [
    ("optimizer.betas=5", "--set optimizer.betas=5: expected two numbers in [0, 1)"),
    ('optimizer.betas="ab"', "expected two numbers in [0, 1)"),
    ("optimizer.betas=[0.5]", "expected two numbers in [0, 1)"),
    ("optimizer.betas=[1.5, 2.0]", "--set optimizer.betas=[1.5, 2.0]: expected two numbers in [0, 1)"),
    ("optimizer.lr_generator=nan", "expected a number in (0, 10]"),
    ("optimizer.lr_generator=inf", "expected a number in (0, 10]"),
    ("num_steps.x=1", "--set num_steps.x=1: num_steps: {'x': 1} (expected an integer in [1, 100_000_000])"),
    ("log_every=0", "expected an integer in [1, 100_000_000]"),
    ("sample_every=0", "expected an integer in [1, 100_000_000]"),
    ("checkpoint_every=0", "expected an integer in [1, 100_000_000]"),
    ("seed=99999999999999999999", "expected an integer in [0, 4_294_967_295]"),
    ("data.limit=-5", "--set data.limit=-5: expected an integer in [0, 1_000_000_000]"),
    ('data.split="foo"', "unknown 'foo' (expected one of: train, test)"),
    ("ema_decay=1.5", "expected a number in [0, 1)"),
    ("ema_warmup=0", "expected a number in (0, 1_000_000]"),
    ("evaluation.min_seen_accuracy=nan", "expected a number in [0, 1]"),
    ("keep_checkpoints=0", "expected an integer in [1, 1_000_000]"),
    ("generator.ngf=0", "--set generator.ngf=0: expected an integer in [1, 512]"),
    ("generator={ngf=0}", "--set generator={ngf=0}: generator.ngf: 0 (expected an integer in [1, 512])"),
    ("generator.ngff=3", "--set generator.ngff=3: unknown key (expected one of: z_dim, ngf,"),
    ("loss.n_critic=1.5", "expected an integer in [1, 100]"),
    ("batch_size=true", "expected an integer in [1, 4096]"),
    ("device=gpu", "expected auto, cpu, cuda, cuda:N or mps"),
    ("out_dir=''", "expected text of 1 to 1000 printable characters"),
    ('data.root="a\\u0000b"', "expected text of 1 to 1000 printable characters"),
    ("evaluation.at_images=[0]", "expected a list of at most 100 integers in [1, 1_000_000_000_000]"),
    ("stopping.window=1", "expected a number in (0, 1)"),
    ("x", "--set 'x': expected KEY=VALUE"),
])
def test_a_bad_override_is_one_line_naming_it(override, expected):
    assert expected in config_error([override])


@pytest.mark.parametrize("typed, expected", [
    ({"batch_size": 0}, "--batch-size 0: expected an integer in [1, 4096]"),
    ({"batch_size": -8}, "--batch-size -8: expected an integer in [1, 4096]"),
    ({"seed": -1}, "--seed -1: expected an integer in [0, 4_294_967_295]"),
    ({"num_steps": -1}, "--steps -1: expected an integer in [1, 100_000_000]"),
    ({"num_steps": 0}, "--steps 0: expected an integer in [1, 100_000_000]"),
])
def test_a_bad_flag_is_one_line_naming_the_flag(typed, expected):
    assert config_error([], **typed) == expected


@pytest.mark.parametrize("text, expected", [
    ("[optimizer]\nbetas = [1.5, 2.0]\n", "optimizer.betas: [1.5, 2.0] (expected two numbers in [0, 1))"),
    ("[generator]\nngf = 0\n", "generator.ngf: 0 (expected an integer in [1, 512])"),
    ("[generator]\nngff = 3\n", "generator.ngff: unknown key (expected one of: z_dim,"),
    ("generator = 3\n", "generator: 3 (expected a table of keys and values)"),
    ('task = "translate"\n', "task = 'translate': evaluation.every must be 0"),  # a rule between fields
    ("a = " + "[" * 5000, "nested too deeply"),
    ("a." * 5000 + "b = 1", "a key of more than 32 dotted parts"),  # tomllib's memory grows with its square
])
def test_a_bad_file_value_names_the_file_and_the_key(tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    start = time.perf_counter()
    message = config_error([], path)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert time.perf_counter() - start < 2


def test_a_binary_file_as_config_is_one_line(tmp_path):
    path = tmp_path / "face.toml"
    path.write_bytes((REPO / "examples" / "style_input.png").read_bytes())
    assert config_error([], path).startswith(f"{path}:")  # with the line, where the reader knows it


def test_the_command_exits_2_with_one_line_before_training(tmp_path, capsys):
    assert main(["train", "--config", str(DCGAN), "--steps", "-1", "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err == "hw3: error: --steps -1: expected an integer in [1, 100_000_000]\n"
    assert not (tmp_path / "run").exists()


def _field_kinds(cls: type, prefix: str = ""):
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        if dataclasses.is_dataclass(kind):
            yield from _field_kinds(kind, f"{prefix}{field.name}.")
        else:
            yield f"{prefix}{field.name}", kind, field.metadata.get("bounds", Bounds())


def test_every_number_declares_both_bounds_and_every_default_passes():
    for key, kind, bounds in _field_kinds(TrainConfig):
        numeric = kind in (int, float) or typing.get_origin(kind) is tuple
        if numeric and bounds.choices is None:
            assert bounds.low is not None and bounds.high is not None, key
    assert build_checked(TrainConfig, {}) == TrainConfig()


# Random `--set KEY=VALUE` lists: a key of the config (or a near miss) and a value that a user,
# a typo or TOML itself might give. The data root does not exist, so a config that passes stops
# with that known line before anything is trained.
KEYS = [key for key, _, _ in _field_kinds(TrainConfig)] + [
    "", "generator", "optimizer", "num_steps.x", "a..b", "generator.", ".ngf", "generator.ngf.deeper", "ngf"]
VALUES = ["0", "-1", "1", "2", "0.5", "1.5", "nan", "inf", "-inf", "1e400", "99999999999999999999", "9" * 5000,
          "true", "off", "[]", "[0.5]", "[1.5, 2.0]", "[0.5, 0.9]", '"ab"', "''", "{}", "{ngf=0}", "[[]]", "[" * 50,
          "1979-05-27", '"\\u0000"', "cuda:7", "adam", "translate", "test", "none", "[1, 2, 3]", "-0.0", "0x10"]
PIECES = st.one_of(st.sampled_from(VALUES), st.text(max_size=12), st.integers(-10**30, 10**30).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))
OVERRIDES = st.lists(st.builds(lambda key, value: f"{key}={value}", st.sampled_from(KEYS), PIECES), max_size=4)
DATA_ERROR = "no such data folder"


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(OVERRIDES)
def test_random_overrides_end_in_one_line_and_exit_2(tmp_path_factory, overrides):
    out = tmp_path_factory.mktemp("run")
    arguments = ["train", "--config", str(DCGAN), "--data", str(out / "no-data"), "--out", str(out / "run"),
                 "--device", "cpu", "--no-progress"]
    for override in overrides:
        arguments += ["--set", override]
    errors = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(errors):
        status = main(arguments)
    lines = errors.getvalue().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("hw3: error: "), (overrides, lines)
    assert lines[0].isprintable() and len(lines[0]) < 1200, lines[0]
    assert DATA_ERROR in lines[0] or lines[0].startswith(("hw3: error: --set ", f"hw3: error: {DCGAN}: ")), lines[0]
    assert time.perf_counter() - start < 5


CONFIG_LINES = st.lists(st.builds(lambda key, value: f"{key.rpartition('.')[2] or 'x'} = {value}",
                                  st.sampled_from(KEYS), PIECES)
                        | st.sampled_from(["[generator]", "[optimizer]", "[evaluation]", "[x]", "[[a]]", "= 1"]),
                        max_size=8).map("\n".join)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(CONFIG_LINES)
def test_random_config_files_load_or_name_the_file_in_one_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("config") / "random.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = load_config(path)
    except InputError as error:
        message = str(error)
        assert message.startswith(f"{path}:") and "\n" not in message and message.isprintable(), message
    else:
        assert isinstance(config, TrainConfig)


@pytest.mark.parametrize("value, expected", [(0, True), (-3, True), (2**40, True), (True, False), (False, False),
                                             (1.0, False), ("1", False), (None, False)])
def test_is_int_takes_whole_numbers_and_refuses_bools(value, expected):
    assert is_int(value) is expected


def test_a_bool_seed_for_drawing_faces_is_refused():
    # draw_faces' seed and count go through is_int: True would otherwise draw with seed 1.
    from hw3.sampling.settings import check_draw_settings

    with pytest.raises(InputError, match="seed"):
        check_draw_settings(seed=True)
    check_draw_settings(seed=1)
