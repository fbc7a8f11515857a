#!/usr/bin/env bash
# bash extra_run.sh INPUT.png TAGS_FILE [hw3 restyle options]
# Style transfer: the face in INPUT.png (64 x 64 RGB; a larger square image is resized) redrawn
# with each tag line's hair and eye colours -> samples/style.png: the input, its reconstruction
# by the shipped conditional generator and one restyled face per line, labelled. The face is
# inverted into the generator under its own tags (read by the evaluator, or --own-tags), then
# drawn under each line's tags. Fixed seeds and one thread: the same bytes on every run.
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
