#!/usr/bin/env bash
# Training throughput side by side, same machine and run: ours (both cores) vs PyTorch on the CPU with every
# setting of its two thread pools (torch threads × OpenBLAS threads ∈ {1,2}²), best setting reported.
# Needs Debian's python3-torch. Usage: bench/reference/train_compare.sh [SECONDS]
# Batch 1 splits each step over both cores (SgdOptions.SplitSingleSampleSteps); SPLIT=0 keeps it on one thread.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-3}
# Tables are echoed to stderr through a process substitution, not `tee /dev/stderr`: reopening /dev/stderr truncates
# a log file that stderr is redirected to, and the earlier tables were lost.
echo "== ours =="
ours=$(dotnet run -c Release --project bench/Intriguing.Benchmarks -- train-table "$seconds" $([ "${SPLIT:-1}" = 1 ] && echo split) | tee >(cat >&2) | tail -n +2)
best=""
for tt in 1 2; do
  for ob in 1 2; do
    echo "== PyTorch, torch threads $tt, OpenBLAS threads $ob =="
    run=$(OPENBLAS_NUM_THREADS=$ob /usr/bin/python3 bench/reference/train_torch.py "$tt" "$seconds" | tee >(cat >&2) | tail -n +2)
    if [ -z "$best" ]; then best=$run; else best=$(paste <(echo "$best") <(echo "$run") | awk -F'\t' '{ if ($6 > $3) print $4"\t"$5"\t"$6; else print $1"\t"$2"\t"$3 }'); fi
  done
done
echo "== ratio (ours / best PyTorch setting) =="
paste <(echo "$ours") <(echo "$best") | awk -F'\t' '{ printf "%s batch %s: ours %.0f samples/s, PyTorch %.0f samples/s, %.1fx\n", $1, $2, $3, $6, $3 / $6 }'
