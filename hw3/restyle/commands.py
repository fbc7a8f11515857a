"""`hw3 restyle` (one face, a tags file -> samples/style.png) and `hw3 restyle-measure`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from hw3.sampling.commands import OneLineErrorParser
    from hw3.restyle import DEFAULT_METHOD, MAX_TAG_LINES

    parser = subparsers.add_parser(
        "restyle", help="redraw a face with each tag line's hair and eye colours",
        description="Redraws INPUT under each line of the tags file. --method inversion inverts it into the shipped "
                    "conditional generator under its own tags (read by the evaluator unless --own-tags gives them), then "
                    "redraws that latent under each line; --method translator passes it through the trained translator "
                    "(weights/translator.safetensors) once per line. Writes the input, its reconstruction and one face "
                    "per line, labelled.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.__class__ = OneLineErrorParser
    parser.add_argument("--input", required=True, help="a 64 x 64 RGB PNG or JPEG (larger square images are resized)")
    parser.add_argument("--tags", required=True,
                        help=f"testing_tags.txt-style file: ID,<colour> hair <colour> eyes; at most {MAX_TAG_LINES} lines")
    parser.add_argument("--out", default="samples/style.png", help="PNG to write")
    parser.add_argument("--own-tags", help="the input's own colours, e.g. 'blue hair red eyes'; if not given, the evaluator reads them")
    parser.add_argument("--method", default=DEFAULT_METHOD, help="translator or inversion")
    parser.add_argument("--seed", type=int, default=0, help="seed of the inversion's starting points (the translator has no randomness)")
    parser.add_argument("--steps", type=int, default=None, help="Adam steps of the inversion; if not given, InversionConfig's (150)")
    parser.add_argument("--offset-steps", type=int, default=0,
                        help="last steps that also fit a per-channel offset after each generator block (0: z only)")
    parser.set_defaults(run=run_restyle)

    measure = subparsers.add_parser(
        "restyle-measure", help="measure restyling on rendered test faces (tags, identity, locality, time)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    measure.__class__ = OneLineErrorParser
    measure.add_argument("--data", type=Path, default=Path("data/anime"), help="data root with test/ and meta.json")
    measure.add_argument("--num-faces", type=int, default=200, help="test faces, spread evenly over the split")
    measure.add_argument("--out", type=Path, default=Path("report/results/restyle.json"),
                         help="results JSON; the markdown table goes beside it (.md)")
    measure.add_argument("--method", default=DEFAULT_METHOD, help="translator or inversion")
    measure.add_argument("--offset-steps", type=int, default=0,
                         help="last inversion steps that also fit per-layer offsets (0: z only, the default method)")
    measure.add_argument("--time-limit", type=float, default=None,
                         help="minutes after which no new face is started; the faces done are summarised "
                              "(rerunning with the same settings resumes from OUT's .rows.jsonl)")
    measure.set_defaults(run=run_measure)


def _inversion_config(seed: int, steps: int | None, offset_steps: int = 0):
    from hw3.bounds import is_int
    from hw3.errors import InputError
    from hw3.restyle.inversion import InversionConfig

    if not is_int(seed) or seed < 0:
        raise InputError(f"--seed {seed}: expected a non-negative integer")
    config = InversionConfig(seed=seed)
    if steps is not None:
        if not 0 <= steps <= 10_000:
            raise InputError(f"--steps {steps}: expected 0 to 10000")
        config.steps = steps
    if not 0 <= offset_steps <= config.steps:
        raise InputError(f"--offset-steps {offset_steps}: expected 0 to the number of steps ({config.steps})")
    config.offset_steps = offset_steps
    return config


def run_restyle(args: argparse.Namespace) -> int:
    from hw3.errors import InputError
    from hw3.restyle.restyle import restyle_file
    from hw3.sampling.commands import one_line

    if args.method == "translator" and (args.steps is not None or args.offset_steps):
        raise InputError("--steps and --offset-steps set the inversion (expected them only with --method inversion)")
    config = _inversion_config(args.seed, args.steps, args.offset_steps)
    try:
        result = restyle_file(args.input, args.tags, args.out, own_tags=args.own_tags, method=args.method,
                              config=config)
    except InputError as error:
        raise InputError(one_line(str(error))) from None
    start = "" if result.inversion is None else f" (best start {result.inversion.start_pixel_error * 127.5:.1f})"
    print(f"input read as {result.own_tags}; reconstruction L1 {result.reconstruction_error * 127.5:.1f} levels "
          f"of 255{start}; {result.seconds:.1f} s")
    own = "reconstruction" if result.inversion is not None else "the face translated to its own tags"
    print(f"wrote {args.out}: input, {own} and {len(result.faces)} restyled faces")
    return 0


def run_measure(args: argparse.Namespace) -> int:
    from hw3.errors import InputError
    from hw3.files import check_output_file
    from hw3.restyle.measure import MeasureConfig, measure
    from hw3.restyle.measure_results import write_results
    from hw3.restyle.restyle import check_method

    check_method(args.method)
    if not 1 <= args.num_faces <= 5280:
        raise InputError(f"--num-faces {args.num_faces}: expected 1 to 5280")
    inversion = _inversion_config(0, None, args.offset_steps)
    if args.time_limit is not None and not args.time_limit > 0:
        raise InputError(f"--time-limit {args.time_limit}: expected minutes > 0")
    for path, what in ((args.out, "a results JSON path"), (args.out.with_suffix(".md"), "a path for the table"),
                       (args.out.with_suffix(".rows.jsonl"), "a path for the rows kept for resuming")):
        check_output_file(path, what)
    if not (args.data / "meta.json").is_file():
        raise InputError(f"{args.data}: no meta.json (expected the rendered data set; make data)")
    results = measure(MeasureConfig(data=args.data, num_faces=args.num_faces), inversion,
                      rows_path=args.out.with_suffix(".rows.jsonl"),
                      time_limit_s=None if args.time_limit is None else 60 * args.time_limit, method=args.method)
    table = write_results(results, args.out)
    print(table.read_text(encoding="utf-8"), end="")
    print(f"wrote {args.out} and {table}")
    return 0
