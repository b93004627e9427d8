#!/usr/bin/env bash
# Side-by-side GEMM timings: Intriguing.Linear.Gemm (bench project, `gemm-table` mode) against cblas_sgemm from
# Debian OpenBLAS, same shapes, same method (warm-up, timed batches of ≈2 ms, median). Shapes alternate between the two
# libraries so that load from other processes on a shared machine hits both sides alike.
# Needs: libopenblas-dev, a C compiler, the .NET SDK. Usage: bench/reference/gemm_compare.sh [threads...] (default: 1 2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ $# -gt 0 ]; then threads_list=("$@"); else threads_list=(1 2); fi

cc -O2 -o "$work/gemm_openblas" "$here/gemm_openblas.c" -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -lm
dotnet build "$root/bench/Intriguing.Benchmarks" -c Release -v quiet -nologo >/dev/null
ours="$root/bench/Intriguing.Benchmarks/bin/Release/net10.0/Intriguing.Benchmarks"

# Square products, then the MNIST layers (in→out = 784→100, 100→100, 100→10) at batch 1, 32, 128:
# forward Y = X·Wᵀ (ABt, m=batch n=out k=in), input gradient dX = dY·W (AB, m=batch n=in k=out),
# weight gradient dW = dYᵀ·X (AtB, m=out n=in k=batch).
{
  for s in 256 512 1024 2048; do for p in ABt AB AtB; do echo "$p $s $s $s"; done; done
  for b in 1 32 128; do for layer in "784 100" "100 100" "100 10"; do
    set -- $layer; echo "ABt $b $2 $1"; echo "AB $b $1 $2"; echo "AtB $2 $1 $b"
  done; done
} > "$work/shapes"

for t in "${threads_list[@]}"; do
  echo
  echo "threads = $t   (GFLOP/s = 2mnk / median time; ratio = ours / OpenBLAS GFLOP/s)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-4s %5s %5s %5s | %10s %9s | %10s %9s | %6s\n' product m n k "ours µs" "ours GF/s" "blas µs" "blas GF/s" ratio
  while read -r line; do
    echo "$line" > "$work/one"
    b=$(OPENBLAS_NUM_THREADS=$t "$work/gemm_openblas" "$work/one")
    o=$("$ours" gemm-table "$t" "$work/one" 2>/dev/null)
    echo "$o $b" | awk '{printf "%-4s %5d %5d %5d | %10.2f %9.2f | %10.2f %9.2f | %6.2f\n",$1,$2,$3,$4,$5*1e6,$6,$11*1e6,$12,$6/$12}'
  done < "$work/shapes"
done
