#!/usr/bin/env bash
# Convolutional networks side by side, same machine and run: ours vs PyTorch on the CPU (torch threads 1 and 2,
# OpenBLAS threads 1 and 2; each printed). Needs Debian's python3-torch. Usage: bench/reference/conv_compare.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-3}
echo "== ours (Trainer on both cores; AlexNet forward on one thread) =="
dotnet run -c Release --project bench/Intriguing.Benchmarks -- conv-table "$seconds"
for tt in 1 2; do
  for ob in 1 2; do
    echo "== PyTorch, torch threads $tt, OpenBLAS threads $ob =="
    OPENBLAS_NUM_THREADS=$ob /usr/bin/python3 bench/reference/conv_torch.py "$tt" "$seconds"
  done
done
