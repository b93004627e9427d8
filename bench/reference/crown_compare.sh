#!/usr/bin/env bash
# Side by side, same machine and run: our certified radii (CROWN, generated code, one thread) against an independent
# float64 PyTorch implementation of the same algorithm (bench/reference/crown_torch.py) on the same trained
# FC100-100-10 and test examples. Prints the agreement of the margin bounds and radii, and the time per example.
# Needs a trained checkpoint (intriguing train --model FC100-100-10) and Debian's python3-torch.
# Usage: bench/reference/crown_compare.sh [CHECKPOINT_DIR] [COUNT] [MODEL]   (MODEL: any Table 1 model, default FC100-100-10)
set -euo pipefail
cd "$(dirname "$0")/../.."
checkpoints=${1:-out/checkpoints}
count=${2:-50}
model=${3:-FC100-100-10}
export_dir=$(mktemp -d)
dotnet build -c Release bench/Intriguing.Benchmarks >/dev/null
echo "== ours (one thread) =="
DOTNET_TieredCompilation=0 dotnet run --no-build -c Release --project bench/Intriguing.Benchmarks -- certify-table "$checkpoints" "$count" "$export_dir" "$model"
echo "== float64 PyTorch reference of the same algorithm (one thread) =="
OMP_NUM_THREADS=1 /usr/bin/python3 bench/reference/crown_torch.py "$export_dir" 1
rm -rf "$export_dir"
