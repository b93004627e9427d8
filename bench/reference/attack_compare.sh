#!/usr/bin/env bash
# Side by side, same machine and run: our attack vs SciPy L-BFGS-B + PyTorch on the same trained networks,
# examples and targets. Needs trained checkpoints (intriguing reproduce or train) and Debian's python3-scipy and
# python3-torch. Usage: bench/reference/attack_compare.sh [CHECKPOINT_DIR] [COUNT] [REPEATS]
# The two sides run alternately REPEATS times (default 3); each figure is the best of the repeats (on a shared
# machine the best is the least disturbed). Wall time is the median per example; CPU time the mean per example.
# Ours runs with tiered compilation off (every method compiled once, fully optimised): on a loaded machine the
# background re-compilation of the tiered JIT can lag behind the warm-up, and tier-0 code would then be timed.
set -euo pipefail
cd "$(dirname "$0")/../.."
checkpoints=${1:-out/checkpoints}
count=${2:-50}
repeats=${3:-3}
export_dir=$(mktemp -d)
dotnet build -c Release bench/Intriguing.Benchmarks >/dev/null
ours_all="" peer_all=""
for r in $(seq "$repeats"); do
  echo "== repeat $r: ours (one thread) =="
  ours=$(DOTNET_TieredCompilation=0 dotnet run --no-build -c Release --project bench/Intriguing.Benchmarks -- attack-table "$checkpoints" "$export_dir" "$count")
  echo "$ours"
  echo "== repeat $r: SciPy L-BFGS-B + PyTorch (one thread) =="
  peer=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/attack_scipy_torch.py "$export_dir" 1)
  echo "$peer"
  ours_all+="$(echo "$ours" | tail -n +2)"$'\n'
  peer_all+="$(echo "$peer" | tail -n +2)"$'\n'
done
echo "== best of $repeats: ratio (peer / ours) =="
/usr/bin/python3 - "$ours_all" "$peer_all" <<'EOF'
import sys
def best(text):
    rows = {}
    for line in text.strip().splitlines():
        f = line.split("\t")
        name, median, evals, dist, cpu = f[0], float(f[2]), float(f[3]), float(f[4]), float(f[6])
        b = rows.setdefault(name, [median, evals, dist, cpu])
        b[0] = min(b[0], median); b[3] = min(b[3], cpu)
    return rows
ours, peer = best(sys.argv[1]), best(sys.argv[2])
for name in ours:
    o, p = ours[name], peer[name]
    print(f"{name}: median wall ours {o[0]:.2f} ms, peer {p[0]:.2f} ms, {p[0] / o[0]:.1f}x; "
          f"mean CPU ours {o[3]:.2f} ms, peer {p[3]:.2f} ms, {p[3] / o[3]:.1f}x; "
          f"evaluations ours {o[1]:.0f}, peer {p[1]:.0f}; mean distortion ours {o[2]:.5f}, peer {p[2]:.5f}")
EOF
rm -rf "$export_dir"
