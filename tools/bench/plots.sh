#!/usr/bin/env bash
# Regenerates the README's two plots with the built-in model (nothing outside the repository):
#   docs/plots/kv-cache-curve.svg  decode ms/token against context, with and without the KV cache
#   docs/plots/streaming.svg       a streaming session's decode tok/s and memory against depth
# Usage: tools/bench/plots.sh [BUILD_DIR] (default build; builds ringlm_cli there if missing).
# Environment: THREADS (default 2), REPS (default 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
threads=${THREADS:-2}
reps=${REPS:-5}
if [ ! -x "$build/ringlm" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$build" -j2 --target ringlm_cli > /dev/null
fi
mkdir -p docs/plots
set -x
"$build/ringlm" bench -p 0 -n 0 -t "$threads" -r "$reps" --cache-table --plot docs/plots/kv-cache-curve.svg
"$build/ringlm" bench -p 0 -n 128 -t "$threads" -r "$reps" --window 252 --sinks 4 --depths 100,1000,10000,100000 \
  --bw-mib 0 --plot docs/plots/streaming.svg
