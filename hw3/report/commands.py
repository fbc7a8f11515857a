"""`hw3 report`: regenerate report/ (markdown, HTML, figures, the comparison table)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from hw3.bounds import SEED_FLAG
    from hw3.eval.commands import NUM_SAMPLES  # light: no torch

    parser = subparsers.add_parser("report",
                                   help="evaluate the shipped generators and write report/ (markdown, HTML, PDF)",
                                   description="Figures and tables of report/ from weights/ and the data.")
    parser.add_argument("--weights", type=Path, default=Path("weights"), help="folder of <variant>.safetensors")
    parser.add_argument("--data", type=Path, default=Path("data/anime"))
    parser.add_argument("--out", type=Path, default=Path("report"))
    parser.add_argument("--tags", type=Path, default=Path("testing_tags.txt"))
    parser.add_argument("--evaluator", type=Path, default=Path("weights/evaluator.safetensors"))
    parser.add_argument("--num-samples", type=NUM_SAMPLES, default=10000, help=f"generated faces, {NUM_SAMPLES}")
    parser.add_argument("--seed", type=SEED_FLAG, default=0, help=str(SEED_FLAG))
    parser.add_argument("--device", default="cpu",
                        help="where the evaluation draws and reads its faces: cpu, cuda, cuda:N, mps or auto "
                             "(figures are always drawn on the CPU, byte for byte as the run scripts)")
    parser.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from hw3.report.build import ReportConfig, build_report

    config = ReportConfig(weights_dir=args.weights, data_root=args.data, out_dir=args.out, tags_file=args.tags,
                          evaluator=args.evaluator, num_samples=args.num_samples, seed=args.seed,
                          device=args.device)
    print(f"wrote {build_report(config)}, and report.html and report.pdf beside it")
    return 0
