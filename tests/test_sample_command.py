"""`hw3 sample` and `hw3 export`: byte-identical grids, strict tags, untouched output on error."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from hw3.cli import main
from hw3.train.loop import train
from hw3.train.recipes import variant_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exported_generator(tiny_data_root, tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("run")
    config = variant_config(REPO / "configs" / "cgan.toml", tiny_data_root, run_dir, device="cpu",
                            num_steps=1, smoke=True)
    config.batch_size = 8
    train(config, progress=False)
    out = run_dir / "cgan.safetensors"
    assert main(["export", "--run", str(run_dir), "--out", str(out)]) == 0
    return out


def test_same_seed_gives_identical_png_bytes(exported_generator, tmp_path):
    tags = tmp_path / "tags.txt"
    tags.write_text("".join(f"{i},blue hair red eyes\n" for i in range(1, 8)))
    for name in ("a.png", "b.png"):
        assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags),
                     "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags),
                 "--out", str(tmp_path / "c.png"), "--seed", "1"]) == 0
    assert (tmp_path / "c.png").read_bytes() != (tmp_path / "a.png").read_bytes()


def test_bad_tags_exit_2_and_leave_the_old_png(exported_generator, tmp_path, capsys):
    out = tmp_path / "grid.png"
    out.write_bytes(b"earlier grid")
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,silver hair red eyes\n")
    assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags), "--out", str(out)]) == 2
    assert out.read_bytes() == b"earlier grid"
    assert "tags.txt:2: unknown hair colour 'silver'" in capsys.readouterr().err


def test_tampered_weights_are_refused(exported_generator, tmp_path):
    copy = tmp_path / "copy.safetensors"
    data = bytearray(exported_generator.read_bytes())
    data[-1] ^= 1
    copy.write_bytes(bytes(data))
    copy.with_suffix(".json").write_text(exported_generator.with_suffix(".json").read_text())
    assert main(["sample", "--generator", str(copy), "--count", "4", "--out", str(tmp_path / "x.png")]) == 2


# --- Bad inputs: one line, exit status 2, nothing written or left behind -------------------------

def write_tiny_generator(path: Path, condition: str | None = "embedding") -> Path:
    """A small untrained generator file with its sidecar, as `hw3 export` writes them."""
    import torch

    from hw3.models import Generator, GeneratorConfig
    from hw3.weights import file_sha256, save_module_weights
    from hw3.files import write_json_atomic

    torch.manual_seed(0)
    config = {"z_dim": 8, "ngf": 4, "condition": condition, "embedding_dim": 4}
    save_module_weights(Generator(GeneratorConfig(**config)), path)
    write_json_atomic(path.with_suffix(".json"), {"kind": "generator", "variant": "tiny", "generator": config,
                                                  "step": 0, "seed": 0, "sha256": file_sha256(path)})
    return path


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    tags = folder / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,pink hair aqua eyes\n3,gray hair black eyes\n")
    return {"conditional": write_tiny_generator(folder / "conditional.safetensors"),
            "unconditional": write_tiny_generator(folder / "unconditional.safetensors", condition=None),
            "tags": tags}


def run_sample_command(args: list[str]) -> tuple[int, str]:
    """`hw3 sample ARGS` in this process: (exit status, stderr)."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(["sample", *args])
        except SystemExit as exit:  # argparse: --help, or a bad flag
            status = exit.code if isinstance(exit.code, int) else 2
    return status, errors.getvalue()


def assert_one_line_exit_2(status: int, stderr: str, message: str = "") -> None:
    assert status == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert message in stderr, stderr


def with_sidecar(tmp_path: Path, source: Path, edit) -> Path:
    """A copy of `source` whose sidecar went through `edit(dict)`."""
    copy = tmp_path / "edited.safetensors"
    copy.write_bytes(source.read_bytes())
    sidecar = json.loads(source.with_suffix(".json").read_text())
    edit(sidecar)
    copy.with_suffix(".json").write_text(json.dumps(sidecar))
    return copy


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("sha256"), "edited.json: no 'sha256' field"),
    (lambda s: s["generator"].update(ngf=8), "edited.json: the generator config does not fit edited.safetensors"),
    (lambda s: s["generator"].update(ngf=10**12), "edited.json: generator field 'ngf' is 1000000000000, larger than"),
    (lambda s: s["generator"].update(z_dim="abc"), "edited.json: generator field 'z_dim' is '\"abc\"' (expected int)"),
    (lambda s: s["generator"].update(z_dim=True), "edited.json: generator field 'z_dim'"),
    (lambda s: s["generator"].update(ngf=0), "edited.json: GeneratorConfig.ngf: 0"),
    (lambda s: s["generator"].update(condition="onehot"), "edited.json: the generator config does not fit"),
    (lambda s: s["generator"].update(colour="blue"), "edited.json: unknown generator field 'colour'"),
    (lambda s: s.update(generator=[1, 2]), "edited.json: 'generator' is not an object"),
])
def test_an_edited_sidecar_is_refused_in_one_line_naming_it(tiny_files, tmp_path, edit, message):
    generator = with_sidecar(tmp_path, tiny_files["conditional"], edit)
    out = tmp_path / "out.png"
    status, stderr = run_sample_command(["--generator", str(generator), "--tags", str(tiny_files["tags"]),
                                         "--out", str(out)])
    assert_one_line_exit_2(status, stderr, message)
    assert not out.exists()


def test_a_sidecar_that_is_not_json_names_its_line(tiny_files, tmp_path):
    generator = with_sidecar(tmp_path, tiny_files["conditional"], lambda s: None)
    generator.with_suffix(".json").write_text('{\n"sha256": \n}')
    status, stderr = run_sample_command(["--generator", str(generator), "--tags", str(tiny_files["tags"]),
                                         "--out", str(tmp_path / "out.png")])
    assert_one_line_exit_2(status, stderr, "edited.json:3: not JSON")


@pytest.mark.parametrize("flags, message", [
    (["--truncation", "0"], "--truncation 0.0: expected a finite number of at least 0.05"),
    (["--truncation", "-2"], "--truncation -2.0"),
    (["--truncation", "nan"], "--truncation nan"),
    (["--truncation", "inf"], "--truncation inf"),
    (["--truncation", "1e-300"], "--truncation 1e-300"),
    (["--seed", "-1"], "--seed -1: expected a non-negative integer"),
    (["--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
    (["--per-row", "0"], "--per-row 0: expected a whole number from 1 to"),
    (["--device", "bogus"], "--device 'bogus': expected cpu, cuda, cuda:N or mps"),
    (["--device", "cuda:99"], "--device cuda:99: no such CUDA device"),
    (["--count", "3"], "a conditional generator draws one face per tag line"),
    (["--layout", "poster"], "argument --layout: invalid choice: 'poster'"),
    (["--colour", "blue"], "unrecognized arguments: --colour blue"),
])
def test_bad_flags_are_one_line_and_exit_2(tiny_files, tmp_path, flags, message):
    out = tmp_path / "out.png"
    out.write_bytes(b"earlier grid")
    status, stderr = run_sample_command(["--generator", str(tiny_files["conditional"]), "--tags",
                                         str(tiny_files["tags"]), "--out", str(out), *flags])
    assert_one_line_exit_2(status, stderr, message)
    assert out.read_bytes() == b"earlier grid"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


@pytest.mark.parametrize("count, message", [("0", "--count 0: expected"), ("-4", "--count -4"),
                                            ("1001", "--count 1001")])
def test_an_unconditional_count_must_be_positive_and_bounded(tiny_files, tmp_path, count, message):
    status, stderr = run_sample_command(["--generator", str(tiny_files["unconditional"]), "--count", count,
                                         "--out", str(tmp_path / "out.png")])
    assert_one_line_exit_2(status, stderr, message)


@pytest.mark.parametrize("out, message", [
    (lambda tmp: tmp, "is a directory"),
    (lambda tmp: tmp / "file.txt" / "x.png", "file.txt is not a directory"),
    (lambda tmp: Path("/proc/x.png"), "/proc/x.png: cannot write here"),
    (lambda tmp: Path("/sys/x.png"), "/sys/x.png: cannot write here"),
    (lambda tmp: tmp / "new\nline.png", "new\\nline.png"),
])
def test_an_output_path_that_cannot_take_a_file_is_one_line(tiny_files, tmp_path, out, message):
    (tmp_path / "file.txt").write_text("a file, not a folder")
    before = sorted(p.name for p in tmp_path.iterdir())
    status, stderr = run_sample_command(["--generator", str(tiny_files["unconditional"]),
                                         "--out", str(out(tmp_path))])
    if "new" in message:  # a newline in a name is legal: the file is written, the message escapes it
        assert status == 0 and (tmp_path / "new\nline.png").is_file()
        return
    assert_one_line_exit_2(status, stderr, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created, no temporary file


def test_a_missing_generator_file_is_one_line(tmp_path):
    status, stderr = run_sample_command(["--generator", str(tmp_path / "acgan.safetensors"), "--count", "2",
                                         "--out", str(tmp_path / "out.png")])
    assert_one_line_exit_2(status, stderr, "acgan.safetensors: no such file")


def test_an_error_message_with_control_characters_stays_on_one_line(tiny_files, tmp_path):
    status, stderr = run_sample_command(["--generator", str(tmp_path / "a\nb\x1b.safetensors"),
                                         "--count", "2", "--out", str(tmp_path / "out.png")])
    assert_one_line_exit_2(status, stderr, "a\\nb\\x1b.safetensors: no such file")


def test_a_failed_write_leaves_no_temporary_file_and_the_old_png(tiny_files, tmp_path, monkeypatch):
    import matplotlib.figure

    out = tmp_path / "out.png"
    out.write_bytes(b"earlier grid")

    def disk_full(self, fname, **kwargs):
        Path(fname).write_bytes(b"half a PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", disk_full)
    status, stderr = run_sample_command(["--generator", str(tiny_files["unconditional"]), "--count", "2",
                                         "--out", str(out)])
    assert_one_line_exit_2(status, stderr, "out.png: cannot write it (No space left on device)")
    assert out.read_bytes() == b"earlier grid" and sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_both_layouts_and_per_row_from_the_command_line(tiny_files, tmp_path):
    from PIL import Image

    assert run_sample_command(["--generator", str(tiny_files["unconditional"]), "--count", "7", "--per-row", "3",
                               "--layout", "grid", "--out", str(tmp_path / "grid.png")])[0] == 0
    assert Image.open(tmp_path / "grid.png").size == (3 * 66 + 2, 3 * 66 + 2)  # ceil(7 / 3) = 3 rows
    assert run_sample_command(["--generator", str(tiny_files["unconditional"]), "--count", "7",
                               "--out", str(tmp_path / "figure.png")])[0] == 0
    assert Image.open(tmp_path / "figure.png").size == (640, 480)


# --- Property-based: random argument lists end in exit 0 or one line and exit 2 ------------------

def argument_lists(files: dict[str, Path], folder: Path):
    """Mostly well-formed command lines (a generator, an output, maybe tags and a layout) with a
    few random options on top: valid values, values just outside the range, and junk."""
    from hypothesis import strategies as st

    junk = st.text(max_size=12).filter(lambda text: "/" not in text)  # as a file name: inside the test folder
    numbers = st.one_of(st.integers(0, 30).map(str), st.integers(-10**30, 10**30).map(str),
                        st.sampled_from(["nan", "inf", "-inf", "1e-300", "1e309", "0.04", "0.5", "1.5", "-1", "0",
                                         "", "abc", "1_0", "0x10", "\u0663", "1" * 5000]),
                        st.floats(allow_nan=True, allow_infinity=True).map(str), junk)
    generators = st.sampled_from([str(files["conditional"])] * 3 + [str(files["unconditional"])] * 3 + [
        str(folder / "missing.safetensors"), str(folder), str(files["tags"]), "/dev/null", "", "-"])
    outputs = st.sampled_from([str(folder / "out.png")] * 4 + [
        str(folder / "sub" / "out.png"), str(folder), "/proc/x.png", str(files["tags"]) + "/x.png", "", "-"])
    tags = st.sampled_from([[]] * 2 + [["--tags", str(files["tags"])]] * 3 + [
        ["--tags", str(folder / "missing.txt")], ["--tags", str(folder)], ["--tags", "/dev/zero"]])
    layouts = st.sampled_from([["--layout", "grid"]] * 4 + [[], ["--layout", "course"], ["--layout", "poster"]])
    option = st.one_of(
        st.tuples(st.sampled_from(["--count", "--seed", "--per-row", "--truncation"]), numbers),
        st.tuples(st.just("--device"), st.sampled_from(["cpu", "cuda", "cuda:7", "mps", "bogus", "CPU", "cpu:0"])),
        st.tuples(st.just("--generator"), st.one_of(generators, junk)),
        st.tuples(st.just("--out"), st.one_of(outputs, junk)),
        st.tuples(st.just("--tags"), st.one_of(st.sampled_from([str(files["tags"]), str(folder)]), junk)),
        st.tuples(st.sampled_from(["--bogus", "-x", "--", "--count=3", "--seed=-1", "--out", "-h"])),
        st.tuples(junk),
    )
    extras = st.lists(option, max_size=3).map(lambda options: [part for option in options for part in option])
    return st.builds(lambda generator, out, tag_args, layout, more: ["--generator", generator, "--out", out,
                                                                     *tag_args, *layout, *more],
                     generators, outputs, tags, layouts, extras)


@pytest.mark.slow
def test_random_argument_lists_end_in_exit_0_or_one_line_exit_2(tiny_files, tmp_path, monkeypatch):
    """Thousands of random `hw3 sample` argument lists, in this process: each returns within a few
    seconds, with exit status 0 (a PNG written) or 2 and a single line on stderr, never a traceback
    or a hang; and never a temporary file left behind. (--free-text, which loads the word vectors,
    is left to its own tests.)"""
    import signal

    from hypothesis import HealthCheck, given, settings

    def too_slow(signum, frame):
        raise TimeoutError("hw3 sample took more than 20 s")

    monkeypatch.chdir(tmp_path)  # random names are written here, relative to the working directory
    previous = signal.signal(signal.SIGALRM, too_slow)

    @settings(max_examples=2000, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(argument_lists(tiny_files, tmp_path))
    def check(args):
        signal.alarm(20)
        try:
            status, stderr = run_sample_command(args)
        finally:
            signal.alarm(0)
        assert "Traceback" not in stderr, (args, stderr)
        if status == 0:
            return
        assert status == 2, (args, status, stderr)
        assert len(stderr.strip().splitlines()) == 1, (args, stderr)
        leftovers = [p for p in tmp_path.rglob(".*.tmp")]
        assert not leftovers, (args, leftovers)

    try:
        check()
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_size_the_network_does_not_use_is_not_held_against_it(tmp_path):
    """embedding_dim sizes nothing in an unconditional generator, so it may exceed every dimension."""
    import torch

    from hw3 import generate
    from hw3.models import Generator, GeneratorConfig
    from hw3.weights import file_sha256, save_module_weights
    from hw3.files import write_json_atomic

    path = tmp_path / "narrow.safetensors"
    config = {"z_dim": 8, "ngf": 2, "condition": None, "embedding_dim": 500}
    torch.manual_seed(0)
    save_module_weights(Generator(GeneratorConfig(**config)), path)
    write_json_atomic(path.with_suffix(".json"), {"generator": config, "sha256": file_sha256(path)})
    assert len(generate(2, generator=path)) == 2


def test_a_weights_file_that_is_not_safetensors_is_one_line_even_with_a_matching_hash(tiny_files, tmp_path):
    from hw3.weights import file_sha256

    generator = with_sidecar(tmp_path, tiny_files["unconditional"], lambda s: None)
    generator.write_bytes(b"not a safetensors file")
    sidecar = json.loads(generator.with_suffix(".json").read_text())
    generator.with_suffix(".json").write_text(json.dumps({**sidecar, "sha256": file_sha256(generator)}))
    status, stderr = run_sample_command(["--generator", str(generator), "--out", str(tmp_path / "out.png")])
    assert_one_line_exit_2(status, stderr, "edited.safetensors: not a readable safetensors file")
