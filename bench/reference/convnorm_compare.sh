#!/usr/bin/env bash
# Side-by-side: the operator norm of the AlexNet convolutions and 3×3×64×64 on 32×32 by
#   ours    — Intriguing.Spectral.ConvolutionNorm (certified bound; convnorm-table mode of the benchmark project),
#   NumPy   — the same Fourier method: np.fft.fft2 + np.linalg.svd(compute_uv=False) batched over frequencies,
#   PyTorch — power iteration on the explicit operator (conv2d and its autograd adjoint), float64.
# Same seeded weights (written by the C# side). The machine may be shared, so ours and NumPy are interleaved shape by
# shape for ROUNDS rounds (each round: ours best of 2 after warm-up calls until the tiered JIT is done, first call reported too, NumPy best of 2 after a warm-up) and each
# tool's best time is kept; PyTorch runs once per shape at the end (TORCH_ITER iterations).
# Usage: bench/reference/convnorm_compare.sh [names…]
#   env: ROUNDS (default 3), TORCH_ITER (default 300), SKIP_TORCH=1, THREADS (default 2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
threads="${THREADS:-2}"
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" THREADS="$threads"
dll="$root/bench/Intriguing.Benchmarks/bin/Release/net10.0/Intriguing.Benchmarks.dll"

dotnet build -c Release "$root/bench/Intriguing.Benchmarks/Intriguing.Benchmarks.csproj" -v q -nologo >/dev/null
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <(dotnet "$dll" convnorm-table --list | awk '{print $1}')
fi

for round in $(seq "${ROUNDS:-3}"); do
  for name in "${names[@]}"; do
    dotnet "$dll" convnorm-table --weights "$tmp" --repeat 2 --threads "$threads" "$name" 2>/dev/null >> "$tmp/ours_all.txt"
    tail -n 1 "$tmp/ours_all.txt" | REPEAT=2 SKIP_TORCH=1 /usr/bin/python3 "$here/convnorm_numpy_torch.py" "$tmp" >> "$tmp/numpy_all.txt"
  done
done

# Best time per shape, in the order of the names.
for name in "${names[@]}"; do
  grep "^$name " "$tmp/ours_all.txt" | sort -k9 -g | head -n 1 >> "$tmp/ours.txt"
  grep "^$name " "$tmp/numpy_all.txt" | sort -k2 -g | head -n 1 >> "$tmp/numpy.txt"
done

if [ "${SKIP_TORCH:-}" = "1" ]; then
  awk '{print $1, "nan", "nan"}' "$tmp/ours.txt" > "$tmp/torch.txt"
else
  REPEAT=1 /usr/bin/python3 "$here/convnorm_numpy_torch.py" "$tmp" --torch-only < "$tmp/ours.txt" > "$tmp/torch.txt"
fi

printf '%-11s %-22s %4s %7s %7s %8s %7s %7s %8s %8s %8s %16s %16s %16s %16s\n' name "CxkxkxD stride pad" N "ours s" "NumPy s" "NumPy/us" "ours cpu" "NumPy cpu" "cpu ratio" "ours 1st" "torch s" "ours estimate" "ours bound" "NumPy" "torch power"
# Fields: ours 1-13 (name C D k stride padding mode N seconds estimate bound cpu first-call), NumPy 14-19, torch 20-22.
paste -d' ' "$tmp/ours.txt" "$tmp/numpy.txt" "$tmp/torch.txt" | awk '{
  shape = $2 "x" $4 "x" $4 "x" $3 " s" $5 " " $7 " " $6;
  printf "%-11s %-22s %4d %7.3f %7.3f %8.1f %7.3f %7.3f %8.1f %8.3f %8s %16.12f %16.12f %16.12f %16s\n", $1, shape, $8, $9, $15, $15 / $9, $12, $19, $19 / $12, $13, $21, $10, $11, $16, $22 }'
