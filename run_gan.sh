#!/usr/bin/env bash
# bash run_gan.sh: 25 faces, five to a row, from the shipped DCGAN generator with seed 0
# -> samples/gan.png.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$repo/scripts/hw3.sh" sample --generator "$repo/weights/dcgan.safetensors" \
    --count 25 --seed 0 --out "$repo/samples/gan.png" "$@"
