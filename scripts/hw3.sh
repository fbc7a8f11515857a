#!/usr/bin/env bash
# `bash scripts/hw3.sh ARGS...` runs `hw3 ARGS...` from this repository's .venv, building the
# .venv first on a fresh machine (about a minute, once).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$repo/.venv/.installed" ]; then
    echo "setting up $repo/.venv (once)..." >&2
    make -s -C "$repo" venv >&2
fi
# A 25-face grid needs one thread, and a fixed thread count keeps CPU kernels, hence bytes, fixed.
export OMP_NUM_THREADS=1
exec "$repo/.venv/bin/python" -m hw3 "$@"
