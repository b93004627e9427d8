#!/usr/bin/env bash
# Side-by-side L-BFGS-B comparison with SciPy (Fortran L-BFGS-B 3.0 core) on the shared test problems:
# per problem f*, evaluations and best-of-N wall time of a full minimisation (objective included: numpy for SciPy,
# C# for us). Options on both sides: m = 10, pgtol = 1e-5, factr = 1e7, maxls = 20.
# Usage: bench/reference/lbfgsb_compare.sh        (needs /usr/bin/python3 with numpy and scipy, and the .NET SDK)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 "$root/bench/reference/lbfgsb_scipy.py" > "$tmp/scipy.txt"
dotnet run -c Release --project "$root/bench/Intriguing.Benchmarks" -- lbfgsb-table > "$tmp/ours.txt"

python3 - "$tmp/scipy.txt" "$tmp/ours.txt" <<'PY'
import sys

def load(path):
    rows = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 7 and parts[0] != "problem":
            rows[parts[0]] = dict(n=int(parts[1]), f=float(parts[2]), nfev=int(parts[4]), ms=float(parts[6]))
    return rows

scipy, ours = load(sys.argv[1]), load(sys.argv[2])
print(f"{'problem':32} {'n':>6} {'f* scipy':>13} {'f* ours':>13} {'nfev scipy':>10} {'nfev ours':>9} "
      f"{'ms scipy':>9} {'ms ours':>9} {'speed-up':>8}")
for name, s in scipy.items():
    o = ours[name]
    print(f"{name:32} {s['n']:6d} {s['f']:13.6e} {o['f']:13.6e} {s['nfev']:10d} {o['nfev']:9d} "
          f"{s['ms']:9.3f} {o['ms']:9.3f} {s['ms'] / o['ms']:7.1f}x")
PY
