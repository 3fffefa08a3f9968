#!/usr/bin/env bash
# Rebuilds ringlm's built-in model (tools/builtin/) from scratch: installs the training packages,
# trains on Debian's `fortunes` quotations (tools/train/train.py, fixed seeds, about 25 minutes on
# 2 cores), converts the llama2.c checkpoint to GGUF with ringlm's own `convert`, and writes the
# PyTorch reference outputs (golden.py) and the held-back text the tests use.
# Run as root from the repository root: bash tools/train/build-model.sh [train.py options]
set -euo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3  # Debian's interpreter, the one python3-torch is built for
if ! $py -c 'import torch, sentencepiece' 2> /dev/null || [ ! -d /usr/share/games/fortunes ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch python3-sentencepiece fortunes
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j2 --target ringlm_cli
out=build-train
$py tools/train/train.py --out "$out" "$@"
cp "$out/model.bin" "$out/ringlm-fortunes.bin"  # general.name comes from the checkpoint's file name
./build/ringlm convert -m "$out/ringlm-fortunes.bin" -z "$out/tokenizer.bin" -o tools/builtin/ringlm-fortunes.gguf
cp "$out/heldout.txt" tools/builtin/heldout.txt
$py tools/train/golden.py "$out/model.bin" "$out/tok.model" tools/builtin/heldout.txt tools/builtin/golden.tsv
ls -l tools/builtin
