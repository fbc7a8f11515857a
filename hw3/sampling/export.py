"""`hw3 export`: a training checkpoint's EMA generator (translator, flow model) as a shipped file.

The weights go to a .safetensors file, with a JSON sidecar beside it holding the network's
config, the step, seed, command, commit and the sha256 of the weights (what every load checks),
and the run's log for the report's curves. Every output path is checked before anything is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hw3.errors import InputError
from hw3.files import check_output_file, write_json_atomic, write_text_atomic
from hw3.models.kinds import FLOW_KIND, kind_of_recorded_task
from hw3.models.translator import Translator, TranslatorConfig
from hw3.sampling.generator_file import (
    build_generator, check_fits, check_sizes, generator_config_fields, training_log_path,
)
from hw3.train.checkpoint import EMA_GENERATOR_FILE, META_FILE, read_checkpoint_meta, run_dir_of
from hw3.train.log import read_log
from hw3.weights import file_sha256, load_module_weights, save_module_weights, sidecar_path


def export_outputs(out_path: str | Path) -> Path:
    """`out_path` checked for the weights, its sidecar and its log, before anything is read."""
    out_path = check_output_file(out_path, "a .safetensors file path")
    if sidecar_path(out_path) == out_path:
        raise InputError(f"{out_path}: the sidecar would be written over the weights "
                         "(expected a .safetensors file name, e.g. weights/acgan.safetensors)")
    check_output_file(sidecar_path(out_path), "a path for the weights' JSON sidecar")
    check_output_file(training_log_path(out_path), "a path for the training log beside the weights")
    return out_path


def _exported_meta(checkpoint: Path) -> tuple[dict[str, Any], str]:
    """A checkpoint's meta.json with every field an export copies, and the network kind."""
    run_meta = read_checkpoint_meta(checkpoint)
    source = checkpoint / META_FILE
    config = run_meta.get("config")
    if not isinstance(config, dict):
        raise InputError(f"{source}: no 'config' object (expected the run's training config)")
    kind = kind_of_recorded_task(config, source)
    for field in ("step", "seed", "command", "git_commit"):
        if field not in run_meta:
            raise InputError(f"{source}: no '{field}' field (expected the meta.json hw3 train writes)")
    if not isinstance(config.get("name"), str) or not isinstance(config.get(kind), dict):
        raise InputError(f"{source}: the config has no 'name' or no '{kind}' object (expected the run's config)")
    return run_meta, kind


def export_generator(checkpoint: str | Path, out_path: str | Path, note: str = "") -> Path:
    """Copy a training checkpoint's EMA generator (or a translate run's translator) to `out_path`
    with its sidecar, and the run's log (runs/ is not shipped; the curves are)."""
    checkpoint, out_path = Path(checkpoint), export_outputs(out_path)
    run_meta, kind = _exported_meta(checkpoint)
    fields, weights, source = run_meta["config"][kind], checkpoint / EMA_GENERATOR_FILE, checkpoint / META_FILE
    if kind == "generator":
        network = build_generator({"generator": generator_config_fields(fields, source)}, weights, source)
    elif kind == FLOW_KIND:
        from hw3.sampling.flow_file import build_flow_sampler

        network = build_flow_sampler(fields, weights, source)
    else:
        network = _translator(fields, weights, source)
    save_module_weights(network, out_path)
    write_json_atomic(sidecar_path(out_path), {
        "kind": kind,
        "variant": run_meta["config"]["name"],
        kind: fields,
        "step": run_meta["step"],
        "seed": run_meta["seed"],
        "training_command": run_meta["command"],
        "git_commit": run_meta["git_commit"],
        "training_config": run_meta["config"],
        "sha256": file_sha256(out_path),
        "note": note,
        # What the run had spent at this step (images through D, steps, seconds, device), and the
        # evaluation that picked it when it is the run's best step (hw3.train.periodic_eval).
        "budget": run_meta.get("budget"),
        "evaluation": run_meta.get("evaluation"),
        # Where and why the run stopped (hw3.train.stopping), once it has.
        "stopping": run_meta.get("stopping"),
    })
    run_log = run_dir_of(checkpoint) / "log.jsonl"
    if run_log.is_file():
        # The whole run, also past an exported best step: the curves show what came after it too,
        # and the sidecar's step says which one was kept.
        records = read_log(run_log)
        write_text_atomic(training_log_path(out_path), "".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    return out_path


def _translator(fields: dict[str, Any], weights: Path, source: Path) -> Translator:
    """The translator `fields` describe, with `weights` loaded; an edited config is one line."""
    found = check_sizes(fields, weights, source, "translator")
    try:
        translator = Translator(TranslatorConfig(**fields))
    except (TypeError, ValueError) as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0][:120]
        raise InputError(f"{source}: translator config {json.dumps(fields)[:120]} cannot be built ({reason})") from None
    check_fits(translator, found, weights, source, "translator")
    load_module_weights(translator, weights)
    return translator
