"""What `hw3 restyle-measure` reports: the summary of its rows (hw3/restyle/measure.py defines
each measure), written as a results JSON and a markdown table beside it."""

from __future__ import annotations

import platform
import statistics
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hw3.files import write_json_atomic, write_text_atomic
from hw3.formatting import percent
from hw3.restyle import DEFAULT_METHOD
from hw3.restyle.inversion import InversionConfig

if TYPE_CHECKING:  # hw3.restyle.measure imports this module
    from hw3.restyle.measure import MeasureConfig

IDENTITY_QUANTILE = 0.95


def summarise(rows: list[dict], config: MeasureConfig, inversion: InversionConfig,
              method: str = DEFAULT_METHOD) -> dict:
    def share(key, where=lambda row: True):
        picked = [row[key] for row in rows if where(row)]
        return float(np.mean(picked)) if picked else float("nan")

    per_face_seconds = [row["seconds"] * config.targets_per_face for row in rows[::config.targets_per_face]]
    return {
        "method": method,
        "faces": len(rows) // config.targets_per_face, "faces_asked": config.num_faces, "targets_per_face": config.targets_per_face, "restyled": len(rows),
        "both_tags": share("both_tags"),
        "both_tags_seen": share("both_tags", lambda r: not r["held_out"]),
        "both_tags_held_out": share("both_tags", lambda r: r["held_out"]),
        "identity_kept": float(np.mean([row["others_nearer"] <= 1 - IDENTITY_QUANTILE for row in rows])),
        "median_others_nearer": float(np.median([row["others_nearer"] for row in rows])),
        "identity_kept_masked": float(np.mean([row["others_nearer_masked"] <= 1 - IDENTITY_QUANTILE for row in rows])),
        "median_others_nearer_masked": float(np.median([row["others_nearer_masked"] for row in rows])),
        "identity_kept_pixels": float(np.mean([row["others_nearer_pixels"] <= 1 - IDENTITY_QUANTILE for row in rows])),
        "median_others_nearer_pixels": float(np.median([row["others_nearer_pixels"] for row in rows])),
        "change_vs_input_levels": share("change_vs_input"),
        "change_vs_reconstruction_levels": share("change_vs_reconstruction"),
        "reconstruction_l1_levels": float(np.mean([row["reconstruction_l1"] for row in rows[::config.targets_per_face]])),
        "seconds_per_face_median": statistics.median(per_face_seconds),
        "seconds_per_face_max": max(per_face_seconds),
        "threads": 1, "cpu": platform.processor() or platform.machine(),
        "measure_config": {key: str(value) for key, value in asdict(config).items()},
        "inversion_config": asdict(inversion),
        "rows": rows,
    }


def markdown_table(results: dict) -> str:
    offset_steps = results["inversion_config"]["offset_steps"]
    fitted = "z only" if not offset_steps else f"z, and per-layer offsets in the last {offset_steps} steps"
    translator = results.get("method") == "translator"
    how = "the translator" if translator else f"inversion ({fitted})"
    work = "6 forward passes" if translator else "inversion + 5 redraws"
    lines = [
        f"Restyling by {how}, {results['faces']} test faces (of {results.get('faces_asked', results['faces'])} asked) x {results['targets_per_face']} target pairs "
        f"({results['restyled']} restyled faces), `hw3 restyle-measure`:",
        "",
        "| measure | value | goal |",
        "|---|---:|---|",
        f"| both target tags read, all | {percent(results['both_tags'])} | >= 90 % |",
        f"| both target tags read, seen pairs | {percent(results['both_tags_seen'])} | >= 90 % |",
        f"| both target tags read, held-out pairs | {percent(results['both_tags_held_out'])} | >= 90 % |",
        f"| identity kept: input nearer than 95 % of the other faces with the target tags, in colour-free "
        f"evaluator features | {percent(results['identity_kept'])} (median {percent(results['median_others_nearer'])} "
        f"of them nearer) | high |",
        f"| the same, features of faces with the input's hair and eyes greyed out | "
        f"{percent(results['identity_kept_masked'])} (median {percent(results['median_others_nearer_masked'])}) | high |",
        f"| the same, pixel L1 outside the input's hair and eyes | "
        f"{percent(results['identity_kept_pixels'])} (median {percent(results['median_others_nearer_pixels'])}) | high |",
        f"| change outside hair and eyes, vs input (levels of 255) | {results['change_vs_input_levels']:.1f} | small |",
        f"| change outside hair and eyes, vs reconstruction | {results['change_vs_reconstruction_levels']:.1f} | small |",
        f"| {'translated to its own tags' if translator else 'reconstruction'}: L1 to the input (levels of 255) | "
        f"{results['reconstruction_l1_levels']:.1f} | — |",
        f"| seconds per face ({work}, 1 thread), median / max | "
        f"{results['seconds_per_face_median']:.1f} / {results['seconds_per_face_max']:.1f} | < 60 |",
    ]
    return "\n".join(lines) + "\n"


def write_results(results: dict, out_path: str | Path) -> Path:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_path, results)
    table_path = out_path.with_suffix(".md")
    write_text_atomic(table_path, markdown_table(results))
    return table_path
