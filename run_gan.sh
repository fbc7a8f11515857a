#!/usr/bin/env bash
# bash run_gan.sh [--layout grid] [hw3 sample options]
# 25 faces from the shipped unconditional generator (dcgan_sn: DCGAN with a spectrally
# normalised, hinge-loss D) with seed 0 -> samples/gan.png, in the course's
# save_imgs figure (matplotlib 5 x 5 axes, 640 x 480); --layout grid gives a tight montage.
# The same bytes on every run and every x86-64 CPU (the generator is replayed in float64).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$repo/scripts/hw3.sh" sample --generator "$repo/weights/dcgan_sn.safetensors" \
    --count 25 --seed 0 --out "$repo/samples/gan.png" "$@"
