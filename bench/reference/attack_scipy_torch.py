#!/usr/bin/python3
"""The peer way of running the Szegedy et al. attack: SciPy's L-BFGS-B driving a PyTorch model.

Same network weights, examples, targets and search as `dotnet run -c Release --project bench/Intriguing.Benchmarks
-- attack-table`, with the settings it exports to EXPORT_DIR/attack.options (the AttackOptions defaults): minimise
c*||r||^2 + CE(x + r, target) over [0,1]^784 (L-BFGS-B with maxcor, maxiter, maxfun, ftol = factr*eps and maxls as
ours), c from initial_c, x/÷ growth until bracketed (<= bracket_steps), bisection_steps geometric bisections towards
the largest successful c, best success at any evaluation kept, then moved back along the segment to the boundary
(30 steps).
This is the published policy, as CleverHans and Foolbox run it: every L-BFGS-B run starts from the clean example and
the bracket is narrowed by geometric bisection. Ours by default warm-starts each run from the previous one and
interpolates c (AttackOptions.WarmStart, InterpolateC); those improvements are deliberately not applied here.
Usage: attack_scipy_torch.py EXPORT_DIR [THREADS]   (prints one line per model: median wall ms per example, ...,
mean CPU ms per example)
"""
import os, struct, sys, time
import numpy as np
import scipy.optimize
import torch

export = sys.argv[1] if len(sys.argv) > 1 else "out/attack-bench"
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
with open(os.path.join(export, "attack.options")) as f:
    opt = {k: float(v) for k, v in (line.strip().split("=") for line in f if "=" in line)}


def load_model(path):
    layers = []
    with open(path, "rb") as f:
        data = f.read()
    p = 0
    while p < len(data):
        out_n, in_n = struct.unpack_from("<ii", data, p); p += 8
        w = np.frombuffer(data, "<f4", out_n * in_n, p).reshape(out_n, in_n); p += 4 * out_n * in_n
        b = np.frombuffer(data, "<f4", out_n, p); p += 4 * out_n
        lin = torch.nn.Linear(in_n, out_n)
        lin.weight.data = torch.tensor(w.copy()); lin.bias.data = torch.tensor(b.copy())
        layers += [lin, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers[:-1]).eval()  # logits; sigmoid between the dense layers


def load_examples(path):
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack_from("<i", data, 0); p = 4; out = []
    for _ in range(n):
        label, target = struct.unpack_from("<ii", data, p); p += 8
        x = np.frombuffer(data, "<f4", 784, p).astype(np.float64); p += 4 * 784
        out.append((label, target, x))
    return out


def attack(model, x0, target):
    evals = [0]; best = [np.inf, None]
    t = torch.tensor([target])

    def f(x, c):
        evals[0] += 1
        xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        logits = model(xt.unsqueeze(0))
        loss = torch.nn.functional.cross_entropy(logits, t, reduction="sum")
        loss.backward()
        d = x - x0; dd = float(d @ d)
        if int(logits.argmax()) == target and dd < best[0]:
            best[0] = dd; best[1] = x.astype(np.float32).copy()
        return c * dd + float(loss), xt.grad.numpy().astype(np.float64) + 2 * c * d

    def predict(x):
        with torch.no_grad():
            return int(model(torch.tensor(x, dtype=torch.float32).unsqueeze(0)).argmax())

    def run(c):
        r = scipy.optimize.minimize(f, x0.copy(), args=(c,), jac=True, method="L-BFGS-B", bounds=[(0, 1)] * 784,
                                    options={"maxcor": int(opt["maxcor"]), "maxiter": int(opt["maxiter"]),
                                             "maxfun": int(opt["maxfun"]), "ftol": opt["factr"] * np.finfo(float).eps,
                                             "maxls": int(opt["maxls"])})
        return predict(r.x) == target

    c = opt["initial_c"]; growth = opt["growth"]; lo = hi = None
    if run(c):
        lo = c
        for _ in range(int(opt["bracket_steps"])):
            c *= growth
            if not run(c): hi = c; break
            lo = c
    else:
        hi = c
        for _ in range(int(opt["bracket_steps"])):
            c /= growth
            if run(c): lo = c; break
            hi = c
    if lo is not None and hi is not None:
        for _ in range(int(opt["bisection_steps"])):
            mid = (lo * hi) ** 0.5
            if run(mid): lo = mid
            else: hi = mid
    if best[1] is None:
        return None, evals[0]
    a = best[1].astype(np.float64); inside, outside = 1.0, 0.0
    for _ in range(30):
        m = 0.5 * (inside + outside)
        if predict(x0 + m * (a - x0)) == target: inside = m
        else: outside = m
    adv = x0 + inside * (a - x0)
    return float(np.sqrt(np.mean((adv - x0) ** 2))), evals[0]


print("model\texamples\tmedian_ms\tmean_evaluations\tmean_distortion\tsuccesses\tcpu_ms_per_example")
for name in ("fc100-100-10", "fc200-200-10"):
    model = load_model(os.path.join(export, name + ".weights"))
    examples = load_examples(os.path.join(export, name + ".examples"))
    attack(model, examples[0][2], examples[0][1])  # warm-up
    times, dist, evs = [], [], []
    cpu0 = time.process_time()
    for label, target, x in examples:
        start = time.perf_counter()
        d, e = attack(model, x, target)
        times.append(1000 * (time.perf_counter() - start)); evs.append(e)
        if d is not None: dist.append(d)
    cpu = 1000 * (time.process_time() - cpu0) / len(examples)
    times.sort()
    print(f"{name.upper()}\t{len(examples)}\t{times[len(times) // 2]:.2f}\t{np.mean(evs):.0f}\t{np.mean(dist):.5f}\t{len(dist)}\t{cpu:.2f}")
