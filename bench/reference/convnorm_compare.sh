#!/usr/bin/env bash
# Side-by-side: the operator norm of the AlexNet convolutions and 3×3×64×64 on 32×32 by
#   ours   — Intriguing.Spectral.ConvolutionNorm (certified bound; convnorm-table mode of the benchmark project),
#   NumPy  — the same Fourier method: np.fft.fft2 + np.linalg.svd(compute_uv=False) batched over frequencies,
#   PyTorch — power iteration on the explicit operator (conv2d and its autograd adjoint), float64.
# Same seeded weights (written by the C# side to a temporary directory). Times are best of REPEAT runs (ours: best
# of OURS_REPEAT after a warm-up). Usage: bench/reference/convnorm_compare.sh [names…]
#   env: REPEAT (NumPy/PyTorch, default 3), OURS_REPEAT (default 5), TORCH_ITER (default 300), SKIP_TORCH=1, THREADS (2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS="${THREADS:-2}" OPENBLAS_NUM_THREADS="${THREADS:-2}" MKL_NUM_THREADS="${THREADS:-2}"

dotnet build -c Release "$root/bench/Intriguing.Benchmarks/Intriguing.Benchmarks.csproj" -v q -nologo >/dev/null
dotnet "$root/bench/Intriguing.Benchmarks/bin/Release/net10.0/Intriguing.Benchmarks.dll" convnorm-table \
  --weights "$tmp" --repeat "${OURS_REPEAT:-5}" --threads "${THREADS:-2}" "$@" > "$tmp/ours.txt"
/usr/bin/python3 "$here/convnorm_numpy_torch.py" "$tmp" < "$tmp/ours.txt" > "$tmp/ref.txt"

printf '%-11s %-22s %5s %9s %9s %9s %8s %18s %18s %18s %18s\n' name shape N "ours s" "NumPy s" "torch s" "NumPy/us" "ours estimate" "ours bound" "NumPy" "torch power"
paste -d' ' "$tmp/ours.txt" "$tmp/ref.txt" | awk '{
  shape = $2 "x" $4 "x" $4 "x" $3 " s" $5 " " $7;
  printf "%-11s %-22s %5d %9.3f %9.3f %9.3f %8.1f %18.12f %18.12f %18.12f %18.12f\n", $1, shape, $8, $9, $13, $15, $13 / $9, $10, $11, $14, $16 }'
