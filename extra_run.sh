#!/usr/bin/env bash
# bash extra_run.sh INPUT.png TAGS_FILE [hw3 restyle options]
# Style transfer: the face in INPUT.png (64 x 64 RGB; a larger square image is resized) redrawn
# with each tag line's hair and eye colours -> samples/style.png: the input, the face under its
# own tags (read by the evaluator, or --own-tags) and one restyled face per line, labelled.
# By default the trained translator (weights/translator.safetensors) restyles it in one float64
# forward pass per line: the same bytes on every CPU. `--method inversion` instead inverts the
# face into the shipped conditional generator and redraws it under each line's tags (seconds
# per face; the same bytes on one machine).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 2 ]; then
    echo "usage: bash extra_run.sh INPUT.png TAGS_FILE   (e.g. bash extra_run.sh examples/style_input.png examples/style_tags.txt)" >&2
    exit 2
fi
input="$1"
tags="$2"
shift 2
exec bash "$repo/scripts/hw3.sh" restyle --input "$input" --tags "$tags" --out "$repo/samples/style.png" "$@"
