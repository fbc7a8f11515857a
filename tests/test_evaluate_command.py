"""`hw3 evaluate` end to end: a training checkpoint in, a results record with every metric out."""

from __future__ import annotations

import json
from pathlib import Path

from hw3.cli import main
from hw3.train.loop import train
from hw3.train.recipes import smoke_data_root, variant_config

REPO = Path(__file__).resolve().parents[1]


def test_evaluate_reads_a_checkpoint_and_writes_every_metric(tmp_path, capsys):
    data_root = smoke_data_root(seed=0, num_train=64, num_test_per_pair=2)  # two halves for the floor
    config = variant_config(REPO / "configs" / "acgan.toml", data_root, tmp_path / "run", device="cpu",
                            num_steps=1, smoke=True)
    result = train(config, progress=False)
    out_dir = tmp_path / "evaluation"
    status = main(["evaluate", "--generator", str(result.last_checkpoint), "--data", str(data_root),
                   "--evaluator", str(REPO / "weights" / "evaluator.safetensors"),
                   "--num-samples", "264", "--out-dir", str(out_dir)])
    assert status == 0
    record = json.loads((out_dir / "results.jsonl").read_text().splitlines()[-1])
    assert record["label"] == "acgan-step1"
    text = json.dumps(record)
    for key in ("fid", "kid", "precision", "recall", "real_floor"):
        assert key in text, key
    assert "|" in capsys.readouterr().out  # the markdown table

    # --reference: the same generator and seed land on the same metrics; a shipped FID far from
    # this one fails the check with exit 1 and names the metric.
    evaluate = ["evaluate", "--generator", str(result.last_checkpoint), "--data", str(data_root),
                "--evaluator", str(REPO / "weights" / "evaluator.safetensors"), "--num-samples", "264",
                "--out-dir", str(out_dir), "--reference"]
    shipped = tmp_path / "shipped.json"
    shipped.write_text(json.dumps(record))
    assert main(evaluate + [str(shipped)]) == 0
    assert "all metrics within tolerance" in capsys.readouterr().out
    shipped.write_text(json.dumps({**record, "fid": record["fid"] * 3}))
    assert main(evaluate + [str(shipped)]) == 1
    assert "outside tolerance of the shipped run: FID" in capsys.readouterr().out


def test_evaluate_measures_an_unconditional_generator_against_the_training_split(tmp_path, capsys):
    data_root = smoke_data_root(seed=0, num_train=64, num_test_per_pair=2)
    config = variant_config(REPO / "configs" / "dcgan.toml", data_root, tmp_path / "run", device="cpu",
                            num_steps=1, smoke=True)
    result = train(config, progress=False)
    out_dir = tmp_path / "evaluation"
    assert main(["evaluate", "--generator", str(result.last_checkpoint), "--data", str(data_root),
                 "--num-samples", "64", "--out-dir", str(out_dir)]) == 0
    record = json.loads((out_dir / "results.jsonl").read_text().splitlines()[-1])
    assert record["conditional"] is False and record["reference_split"] == "train"
    assert record["num_reference"] == record["num_compared"] == 32  # half of the 64 training faces
    assert "tag_accuracy" not in record and record["fid"] > 0
    assert "real train-split images" in capsys.readouterr().out


def test_evaluate_rejects_a_bad_reference_before_sampling(tmp_path, capsys):
    reference = tmp_path / "shipped.json"
    reference.write_text('{"fid": 1.0,\n  oops}')
    arguments = ["evaluate", "--generator", str(tmp_path / "never_read.safetensors"), "--reference", str(reference)]
    assert main(arguments) == 2
    assert f"{reference}:2: not JSON" in capsys.readouterr().err
    assert main(arguments[:-1] + [str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err
