#!/usr/bin/env bash
# Decode speed at -t 1 and -t 2, on an idle machine and with one competing CPU-bound process per
# core. Given two binaries (old new), runs alternate between them, so a drifting machine biases
# neither. Prints one table: binary, load, threads, decode tok/s per round and their median.
#   usage: tools/bench/pool-under-load.sh MODEL.gguf RINGLM [RINGLM_NEW] [ROUNDS] [N_GEN]
set -euo pipefail
model=${1:?usage: $0 MODEL.gguf RINGLM [RINGLM_NEW] [ROUNDS] [N_GEN]}
bins=("${2:?need a ringlm binary}")
[[ -n "${3:-}" ]] && bins+=("$3")
rounds=${4:-3}
n_gen=${5:-32}
cores=$(nproc)
hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done; hogs=(); }
trap stop_hogs EXIT

# One decode figure (tok/s) for binary $1 at $2 threads.
decode() {
  "$1" bench -m "$model" -t "$2" -p 0 -n "$n_gen" -r 1 --bw-mib 0 --json 2>/dev/null |
    sed -n 's/.*"avg_ts": \([0-9.]*\).*/\1/p' | awk '{printf "%.1f", $1}'
}

declare -A results
for load in idle loaded; do
  if [[ $load == loaded ]]; then
    for ((c = 0; c < cores; c++)); do
      sh -c 'while :; do :; done' &
      hogs+=($!)
    done
  fi
  for ((r = 0; r < rounds; r++)); do
    for t in 1 2; do
      for b in "${!bins[@]}"; do
        results[$b,$load,$t]+="$(decode "${bins[$b]}" "$t") "
      done
    done
  done
  stop_hogs
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {printf "%.1f\n", (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "model: $model; $cores cores; loaded = $cores busy-loop processes; $rounds rounds of $n_gen tokens"
echo
echo "| binary | load | threads | decode tok/s (rounds) | median |"
echo "|---|---|--:|---|--:|"
for b in "${!bins[@]}"; do
  for load in idle loaded; do
    for t in 1 2; do
      v=${results[$b,$load,$t]}
      echo "| ${bins[$b]} | $load | $t | ${v% } | $(echo "$v" | median) |"
    done
  done
done
