#!/usr/bin/env bash
# Side by side, same machine and run: our batched attacks vs a float64 PyTorch reference of the same algorithms
# (bench/reference/attacks_torch.py) on the trained FC100-100-10, the same test images and settings, untargeted, one
# thread, at batch 1 and at batch COUNT. Needs a trained checkpoint (intriguing train -m FC100-100-10) and Debian's
# python3-torch. Usage: bench/reference/attacks_compare.sh [CHECKPOINT_DIR] [COUNT]
# Prints both tables, then per attack and batch the speed ratio (peer / ours, wall and CPU), and the agreement of the
# two implementations: successes that agree and the largest relative difference of the final L2 and L∞ distortions.
set -euo pipefail
cd "$(dirname "$0")/../.."
checkpoints=${1:-out/checkpoints}
count=${2:-100}
export_dir=$(mktemp -d)
dotnet build -c Release bench/Intriguing.Benchmarks >/dev/null
echo "== ours (float32, one thread) =="
ours=$(DOTNET_TieredCompilation=0 dotnet run --no-build -c Release --project bench/Intriguing.Benchmarks -- attacks-table "$checkpoints" "$export_dir" "$count")
echo "$ours"
echo "== PyTorch float64 reference (one thread) =="
peer=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/attacks_torch.py "$export_dir" 1)
echo "$peer"
echo "== ratio (peer / ours) =="
/usr/bin/python3 - "$ours" "$peer" <<'PY'
import sys
def rows(text):
    out = {}
    for line in text.strip().splitlines()[1:]:
        f = line.split("\t")
        out[(f[0], f[1])] = f
    return out
ours, peer = rows(sys.argv[1]), rows(sys.argv[2])
for key, o in ours.items():
    p = peer[key]
    batch = "1" if key[1] == "1" else "N"
    print(f"{key[0]:13s} batch {key[1]:>4s}: wall {float(p[2]) / float(o[2]):6.1f}x, CPU {float(p[3]) / float(o[3]):6.1f}x "
          f"(ours {float(o[2]):.3f} ms, peer {float(p[2]):.3f} ms per example); successes ours {o[4]}, peer {p[4]} (agree {p[8]}); "
          f"mean L2 ours {o[5]}, peer {p[5]}; mean Linf ours {o[6]}, peer {p[6]}; largest relative L2/Linf difference {p[9]}")
PY
rm -rf "$export_dir"
