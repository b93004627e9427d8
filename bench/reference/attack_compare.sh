#!/usr/bin/env bash
# Side by side, same machine and run: our attack vs SciPy L-BFGS-B + PyTorch on the same trained networks,
# examples and targets. Needs trained checkpoints (intriguing reproduce or train) and Debian's python3-scipy and
# python3-torch. Usage: bench/reference/attack_compare.sh [CHECKPOINT_DIR] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
checkpoints=${1:-out/checkpoints}
count=${2:-50}
export_dir=$(mktemp -d)
echo "== ours (one thread) =="
ours=$(dotnet run -c Release --project bench/Intriguing.Benchmarks -- attack-table "$checkpoints" "$export_dir" "$count" | tee /dev/stderr)
echo "== SciPy L-BFGS-B + PyTorch (one thread) =="
peer=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/attack_scipy_torch.py "$export_dir" 1 | tee /dev/stderr)
echo "== ratio (peer median time / ours) =="
paste <(echo "$ours" | tail -n +2) <(echo "$peer" | tail -n +2) | awk -F'\t' '{ printf "%s: ours %.2f ms (distortion %.4f), peer %.2f ms (distortion %.4f), %.1fx faster\n", $1, $3, $5, $9, $11, $9 / $3 }'
rm -rf "$export_dir"
