#!/usr/bin/env bash
# bash run_cgan.sh TAGS_FILE [--free-text] [--layout grid] [hw3 sample options]
# One face per tag line, in file order, five to a row, from the shipped conditional generator
# with seed 0 -> samples/cgan.png, in the course's save_imgs figure (matplotlib axes, 640 x 480;
# --layout grid gives a tight montage). 25 lines give the 5x5 grid; other counts give ceil(n/5)
# rows. The same bytes on every run and every x86-64 CPU (the generator is replayed in float64).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
    echo "usage: bash run_cgan.sh TAGS_FILE [--free-text]   (e.g. bash run_cgan.sh testing_tags.txt)" >&2
    exit 2
fi
tags="$1"
shift
exec bash "$repo/scripts/hw3.sh" sample --generator "$repo/weights/acgan.safetensors" \
    --tags "$tags" --seed 0 --out "$repo/samples/cgan.png" "$@"
