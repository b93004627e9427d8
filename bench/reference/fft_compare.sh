#!/usr/bin/env bash
# Side-by-side timing of the square 2-D complex single-precision forward FFT: ours (Intriguing.Fourier, via the
# benchmark project's fft-table mode), FFTW3 (fftwf, FFTW_MEASURE, one thread) and NumPy (numpy.fft.fft2 on
# complex64). All three use the same method: warm-up, 31 samples of ~2 ms, median per call, out of place.
# Usage: bench/reference/fft_compare.sh [--1d] [sizes...]   (needs gcc, libfftw3-dev, /usr/bin/python3 with numpy)
#        --1d compares 1-D transforms of length N (numpy.fft.fft) instead of N×N 2-D ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mode=()
label="N×N"
if [ "${1:-}" = "--1d" ]; then
  mode=(--1d)
  label="N"
  shift
fi
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(8 13 16 28 32 55 64 128 224 256)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

gcc -O2 -o "$tmp/fft_fftw" "$here/fft_fftw.c" -lfftw3f -lm
dotnet build -c Release "$root/bench/Intriguing.Benchmarks/Intriguing.Benchmarks.csproj" -v q -nologo >/dev/null

"$tmp/fft_fftw" "${mode[@]}" "${sizes[@]}" > "$tmp/fftw.txt"
dotnet "$root/bench/Intriguing.Benchmarks/bin/Release/net10.0/Intriguing.Benchmarks.dll" fft-table "${mode[@]}" "${sizes[@]}" > "$tmp/ours.txt"
/usr/bin/python3 "$here/fft_numpy.py" "${mode[@]}" "${sizes[@]}" > "$tmp/numpy.txt"

printf '%-9s %12s %12s %12s %10s %10s\n' "$label" "ours µs" "FFTW µs" "NumPy µs" "ours/FFTW" "ours/NumPy"
# Each program prints "size µs" lines in the order of the sizes given.
paste -d' ' "$tmp/ours.txt" "$tmp/fftw.txt" "$tmp/numpy.txt" | \
  awk -v label="$label" '{ printf "%-9s %12.2f %12.2f %12.2f %10.2f %10.2f\n", (label == "N" ? $1 : $1 "×" $1), $2, $4, $6, $2 / $4, $2 / $6 }'
