#!/usr/bin/python3
"""How sensitive each attack is to the arithmetic: the float64 reference of attacks_torch.py run again in float32
PyTorch on the same exported weights and examples, and the two compared as ours is compared with the reference
(successes that agree, largest relative difference of the final L2 distortion).
Usage: attacks_precision.py EXPORT_DIR   (EXPORT_DIR written by `attacks-table`, see attacks_compare.sh)
"""
import os, sys
import numpy as np
import torch

export = sys.argv[1] if len(sys.argv) > 1 else "out/attacks-bench"
source = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "attacks_torch.py")).read().split('print("attack')[0]
results = {}
for dtype in (torch.float64, torch.float32):
    g = {"__name__": "reference"}
    sys.argv = ["attacks_torch.py", export, "1"]
    exec(source, g)
    X = g["X"]
    if dtype == torch.float32:
        g["model"].float(); X = X.float(); torch.set_default_dtype(torch.float32)
    for name, fn, minimum, linf in g["ATTACKS"]:
        s = g["run"](fn, minimum, linf, X, g["Y"])
        results[(name, dtype)] = (s.found.numpy(), (s.best - s.x0).double().norm(dim=1).numpy())
    torch.set_default_dtype(torch.float64)
print("attack\tsuccess_agrees\tmax_rel_l2_diff_float32_vs_float64")
for name in dict.fromkeys(k[0] for k in results):
    f64, l64 = results[(name, torch.float64)]; f32, l32 = results[(name, torch.float32)]
    both = f64 & f32
    print(f"{name}\t{int((f64 == f32).sum())}/{len(f64)}\t{float(np.max(np.abs(l32[both] - l64[both]) / l64[both])):.2e}")
