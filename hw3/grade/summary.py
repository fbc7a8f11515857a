"""The markdown summary of a grading (`grade.md`), from the results JSON alone."""

from __future__ import annotations

from functools import partial

from hw3.formatting import percent

STATUS_WORDS = {
    "ok": "ok", "crashed": "crashed", "timed_out": "timed out", "missing_script": "script missing",
    "no_output": "wrote nothing", "unreadable_png": "unreadable PNG", "wrong_size": "wrong size",
    "no_grid": "no 5 x 5 grid of faces", "skipped": "skipped",
}


_percent = partial(percent, sep="", missing="n/a")  # grade.md writes "12.3%"


def _number(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _step_row(name: str, step: dict) -> str:
    figure = step.get("figure") or {}
    size = "x".join(str(side) for side in figure["size"]) if figure.get("size") else "-"
    layout = figure.get("layout") or "-"
    message = step.get("message") or ""
    return (f"| {name} | {STATUS_WORDS.get(step['status'], step['status'])} | {step.get('seconds', 0):.1f} | "
            f"{size} | {layout} | {message} |")


def markdown_summary(results: dict) -> str:
    lines = [f"# Grading of {results['submission']}", "",
             f"Each script run in the submission's own folder with a {results['time_limit_s']:g} s limit; "
             f"faces judged by `{results['evaluator']}`, real reference: the test split of `{results['data']}`.", "",
             "| step | result | seconds | PNG size | layout | note |", "|---|---|---:|---|---|---|",
             _step_row("`bash run_gan.sh`", results["gan"]),
             _step_row("`bash run_cgan.sh <tags>`", results["cgan"])]
    pairs = results["pairs"]
    if pairs["status"] != "ok":
        lines += ["", f"**All 132 pairs: {STATUS_WORDS.get(pairs['status'], pairs['status'])}.** {pairs['message']}"]
        if pairs.get("output_tail"):
            lines += ["", "Last output lines:", "", "```", pairs["output_tail"], "```"]
    else:
        accuracy = pairs["tag_accuracy"]
        seconds = pairs["run_seconds"]
        lines += [
            "", f"## All 132 pairs, {results['faces_per_pair']} faces each "
            f"({pairs['files']} runs of `run_cgan.sh`, {pairs['lines_per_file']} lines each)", "",
            "| measure | value |", "|---|---:|",
            f"| hair correct | {_percent(accuracy['hair'])} |",
            f"| eyes correct | {_percent(accuracy['eyes'])} |",
            f"| both correct, all pairs | {_percent(accuracy['both'])} |",
            f"| both correct, seen pairs | {_percent(accuracy['seen']['both'])} |",
            f"| both correct, 12 held-out pairs | {_percent(accuracy['held_out']['both'])} |",
            f"| spread within a pair (evaluator features) | {_number(pairs['spread_within_pair'])} |",
            f"| spread relative to real faces of the pair | {_number(pairs['spread_ratio_to_real'])} |",
            f"| FID (evaluator space) | {_number(pairs['fid'])} |",
            f"| FID of real faces, same size (floor) | {_number(pairs['fid_real_floor'])} |",
            f"| run time: total / median / max per run, s | {seconds['total']:.1f} / {seconds['median']:.1f} / "
            f"{seconds['max']:.1f} |",
        ]
        if not pairs["follows_tags"]:
            lines += ["", "**The faces do not follow the tags**: hair or eye accuracy is within twice chance "
                      "(1/12 and 1/11)."]
        if pairs.get("collapsed_pairs"):
            lines += ["", f"Pairs with less than half the real spread: {', '.join(pairs['collapsed_pairs'])}."]
    for step_name in ("gan", "cgan"):
        step = results[step_name]
        if step["status"] in ("crashed", "timed_out") and step.get("output_tail"):
            lines += ["", f"Last output lines of {step['script']}:", "", "```", step["output_tail"], "```"]
    lines += ["", *(f"- {note}" for note in results.get("notes", [])), f"Grading took {results['seconds']:.0f} s."]
    return "\n".join(lines) + "\n"
