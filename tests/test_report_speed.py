"""The report's speed section, from the files `make bench` and `make fast-path-check` write."""

import json
import re
from pathlib import Path

from hw3.report.section_speed import speed_section, spread_lines


def _run(variant, autocast, seed, fid, seen=None, held_out=None):
    return {"variant": variant, "autocast": autocast, "seed": seed, "eval_fid": fid, "eval_both_seen": seen,
            "eval_both_held_out": held_out, "wall_seconds": 600.0, "images_through_d": 400000, "step": 6250}


def test_the_fast_run_is_placed_against_the_float32_seeds_spread():
    collected = {"at_images": 400000, "runs": [
        _run("acgan", "bfloat16", 0, 2.3, 0.97, 0.85),
        _run("acgan", "off (float32)", 0, 2.0, 0.98, 0.86),
        _run("acgan", "off (float32)", 1, 2.5, 0.96, 0.84),
        _run("dcgan_sn", "bfloat16", 0, 30.0),
        _run("dcgan_sn", "off (float32)", 0, 26.0)]}
    lines = spread_lines(collected)
    assert lines[0] == ("- acgan: FID: float32 2.00–2.50, fast path 2.30 (seed 0, inside); both tags on seen pairs: "
                        "float32 96.00–98.00 %, fast path 97.00 % (seed 0, inside); on held-out pairs: float32 "
                        "84.00–86.00 %, fast path 85.00 % (seed 0, inside).")
    assert lines[1] == "- dcgan_sn: 1 float32 seed(s) so far, no spread yet."
    collected["runs"][0].update(eval_fid=2.75, eval_both_seen=0.99)
    collected["runs"].append(_run("acgan", "bfloat16", 1, 1.5, 0.90, 0.85))
    line = spread_lines(collected)[0]
    assert "fast path 2.75 (seed 0, 0.25 worse than every float32 seed), 1.50 (seed 1, 0.50 better" in line
    assert "97" not in line.split("seen pairs")[1].split(";")[0].split("fast path")[1]
    assert "99.00 % (seed 0, 1.00 % better than every float32 seed), 90.00 % (seed 1, 6.00 % worse" in line


def test_the_section_reads_both_files_and_leaves_out_what_is_missing(tmp_path):
    assert speed_section(tmp_path) == ["### Training speed: the fast path", ""]
    rows = [{"variant": "reference (x)", "images_per_second": 240.0, "pytorch_examples_images_per_second": 200.0},
            {"variant": "dcgan", "fp32_images_per_second": 300.0, "fast_images_per_second": 600.0,
             "images_per_second": 600.0, "fast_over_fp32": 2.0, "base_images_per_second": 276.0,
             "over_base": 600 / 276}]
    (tmp_path / "bench_train.json").write_text(json.dumps(rows))
    text = "\n".join(speed_section(tmp_path))
    assert "runs 3.00× pytorch/examples." in text and "loop (x) 240" in text
    assert "| dcgan | 300 | 600 | 2.00× | 276 | 2.17× |" in text
    assert "Quality at" not in text and "in the same session" in text
    rows[1].update(fp32_rounds=[290.0, 300.0], fast_rounds=[600.0, 580.0], base_rounds=[276.0, 270.0])
    (tmp_path / "bench_train.json").write_text(json.dumps(rows))
    assert "each row's best of 2 rounds of the whole sequence" in "\n".join(speed_section(tmp_path))
    rows[1].update(fp32_rounds=[290.0], fast_rounds=[600.0], base_rounds=[276.0])
    (tmp_path / "bench_train.json").write_text(json.dumps(rows))
    assert "; one round of the whole sequence, the base commit's" in "\n".join(speed_section(tmp_path))
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "fast_path_quality.json").write_text(json.dumps(
        {"at_images": 400000, "runs": [_run("dcgan_sn", "bfloat16", 0, 30.0)]}))
    text = "\n".join(speed_section(tmp_path))
    assert "Quality at 400,000 real images" in text and "| dcgan_sn | bfloat16 | 0 | 30.00 | – | – | 10 min |" in text


def test_the_readmes_speed_table_is_the_committed_bench():
    """README.md copies a few rows of report/bench_train.json by hand: they must be the same numbers."""
    repo = Path(__file__).resolve().parents[1]
    rows = json.loads((repo / "report" / "bench_train.json").read_text())
    by_variant = {row["variant"]: row for row in rows}
    reference = next(row for row in rows if row["variant"].startswith("reference"))
    readme = (repo / "README.md").read_text()
    after_bench = readme[readme.index("`make bench`"):].split("\n\n")[1]  # the table after that line
    table = [line for line in after_bench.splitlines() if re.match(r"\| (dcgan|acgan) \|", line)]
    assert len(table) == 2, "README.md's speed table should hold the dcgan and acgan rows"
    for line in table:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        row = by_variant[cells[0]]
        assert int(cells[1]) == round(row["fp32_images_per_second"]), line
        assert int(cells[2]) == round(row["fast_images_per_second"]), line
        if cells[0] == "dcgan":
            assert int(cells[3]) == round(reference["pytorch_examples_images_per_second"]), line
