#!/usr/bin/python3
"""Float64 PyTorch reference of the batched attacks (FGSM, PGD, DeepFool, DDN, FMN, C&W), written from the papers.

Same network weights, examples and settings as `dotnet run -c Release --project bench/Intriguing.Benchmarks --
attacks-table`, untargeted, in [0, 1]^784, with the library's conventions so that the trajectories can be compared:
an example counts as adversarial when max_{j != y} p_j >= 1.001 p_y; the logit-difference losses of DeepFool, FMN and
C&W aim at the boundary shifted by ln(1.001); FMN's radius grows by at least (1 + gamma) before the first adversarial
iterate; the least distorted adversarial iterate is kept, then 10 bisection steps move it towards the clean example
(minimum-norm attacks). Each attack runs at batch 1 (one example at a time) and at batch N (all examples stepped
together, per-example state), on one thread.
Usage: attacks_torch.py EXPORT_DIR [THREADS]   (prints one line per attack and batch, and the agreement with ours)
"""
import math, os, struct, sys, time
import numpy as np
import torch

export = sys.argv[1] if len(sys.argv) > 1 else "out/attacks-bench"
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.set_default_dtype(torch.float64)
MARGIN = 1.0 + np.float32(1e-3)       # the library's DecisionMargin, in single precision
KAPPA0 = math.log(1.0 + 1e-3)
TINY = 1.401298464324817e-45          # smallest positive single: ln p is floored there


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
        lin.weight.data = torch.tensor(w.astype(np.float64)); lin.bias.data = torch.tensor(b.astype(np.float64))
        layers += [lin, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers[:-1]).eval()  # logits


def load_examples(path):
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack_from("<i", data, 0); p = 4; xs = []; ys = []
    for _ in range(n):
        label, = struct.unpack_from("<i", data, p); p += 4
        xs.append(np.frombuffer(data, "<f4", 784, p).astype(np.float64)); p += 4 * 784
        ys.append(label)
    return torch.tensor(np.array(xs)), torch.tensor(ys)


model = load_model(os.path.join(export, "fc100-100-10.weights"))
X, Y = load_examples(os.path.join(export, "examples"))
for prm in model.parameters():
    prm.requires_grad_(False)


def probs(x):
    return torch.softmax(model(x), dim=1)


def logp(p):
    return torch.log(torch.clamp(p, min=TINY))


def runner_up(p, y):
    q = p.clone(); q[torch.arange(len(y)), y] = -1
    return q.argmax(dim=1)


def adversarial(p, y):
    own = p[torch.arange(len(y)), y]
    return p.gather(1, runner_up(p, y)[:, None])[:, 0] >= MARGIN * own


def ce_grad(x, labels):
    x = x.clone().requires_grad_(True)
    z = model(x)
    loss = torch.nn.functional.cross_entropy(z, labels, reduction="sum")
    g, = torch.autograd.grad(loss, x)
    return g, torch.softmax(z.detach(), dim=1)


def logit_grad(x, a, b):
    """Gradient of z_a - z_b per row, and p."""
    x = x.clone().requires_grad_(True)
    z = model(x)
    r = torch.arange(len(a))
    g, = torch.autograd.grad((z[r, a] - z[r, b]).sum(), x)
    return g, torch.softmax(z.detach(), dim=1)


def dist(d, linf):
    return d.abs().amax(dim=1) if linf else d.norm(dim=1)


class State:
    def __init__(self, x0, y, linf=False):
        self.x0, self.y, self.linf = x0, y, linf
        self.best = x0.clone()
        self.best_norm = torch.full((len(y),), math.inf)
        self.found = torch.zeros(len(y), dtype=torch.bool)
        self.grads = torch.zeros(len(y), dtype=torch.long)

    def record(self, idx, x):
        d = dist(x - self.x0[idx], self.linf)
        better = d < self.best_norm[idx]
        i = idx[better]
        self.best_norm[i] = d[better]; self.found[i] = True; self.best[i] = x[better]

    def check_clean(self):
        p = probs(self.x0)
        a = adversarial(p, self.y)
        if a.any():
            self.record(torch.nonzero(a)[:, 0], self.x0[a])

    def refine(self, steps=10):
        idx = torch.nonzero(self.found & (self.best_norm > 0))[:, 0]
        if len(idx) == 0:
            return
        x0, b, y = self.x0[idx], self.best[idx], self.y[idx]
        inside = torch.ones(len(idx)); outside = torch.zeros(len(idx))
        for _ in range(steps):
            t = 0.5 * (inside + outside)
            a = adversarial(probs(x0 + t[:, None] * (b - x0)), y)
            inside = torch.where(a, t, inside); outside = torch.where(a, outside, t)
        moved = inside < 1
        nb = x0 + inside[:, None] * (b - x0)
        self.best[idx[moved]] = nb[moved]
        self.best_norm[idx[moved]] = dist(nb[moved] - x0[moved], self.linf)


def fgsm(s, eps=0.1):
    g, _ = ce_grad(s.x0, s.y); s.grads += 1
    x = torch.clamp(s.x0 + eps * torch.sign(g), 0, 1)
    a = adversarial(probs(x), s.y)
    s.record(torch.nonzero(a)[:, 0], x[a])


def pgd(s, eps=0.1, steps=20, l2=False):
    alpha = 2.5 * eps / steps
    idx = torch.nonzero(~s.found)[:, 0]
    x = s.x0[idx].clone()
    for _ in range(steps):
        if len(idx) == 0:
            return
        g, p = ce_grad(x, s.y[idx]); s.grads[idx] += 1
        a = adversarial(p, s.y[idx])
        s.record(idx[a], x[a])
        idx, x, g = idx[~a], x[~a], g[~a]
        if l2:
            gn = g.norm(dim=1, keepdim=True)
            x = x + alpha * torch.where(gn > 0, g / gn.clamp(min=1e-300), torch.zeros_like(g))
            d = x - s.x0[idx]; dn = d.norm(dim=1, keepdim=True)
            x = torch.clamp(s.x0[idx] + torch.where(dn > eps, eps / dn.clamp(min=1e-300), torch.ones_like(dn)) * d, 0, 1)
        else:
            x = x + alpha * torch.sign(g)
            x = torch.clamp(torch.minimum(torch.maximum(x, s.x0[idx] - eps), s.x0[idx] + eps), 0, 1)
    if len(idx):
        a = adversarial(probs(x), s.y[idx])
        s.record(idx[a], x[a])


def deepfool(s, steps=20, overshoot=0.02, linf=False):
    idx = torch.nonzero(~s.found)[:, 0]
    x = s.x0[idx].clone(); total = torch.zeros_like(x)
    for _ in range(steps):
        if len(idx) == 0:
            return
        xg = x.clone().requires_grad_(True)
        z = model(xg)
        jac = torch.stack([torch.autograd.grad(z[:, k].sum(), xg, retain_graph=True)[0] for k in range(10)], dim=1)
        s.grads[idx] += 10
        p = torch.softmax(z.detach(), dim=1); y = s.y[idx]
        a = adversarial(p, y)
        s.record(idx[a], x[a])
        keep = ~a
        idx, x, total, p, y, jac = idx[keep], x[keep], total[keep], p[keep], y[keep], jac[keep]
        r = torch.arange(len(y))
        w = jac - jac[r, y][:, None, :]                              # w_j = grad z_j - grad z_y
        f = logp(p) - logp(p)[r, y][:, None] - KAPPA0
        norm = w.abs().sum(dim=2) if linf else w.norm(dim=2)
        ratio = f.abs() / norm
        ratio[r, y] = math.inf
        l = ratio.argmin(dim=1)
        wl, fl, nl = w[r, l], f[r, l], norm[r, l]
        if linf:
            total = total + ((fl.abs() + 1e-4) / nl)[:, None] * torch.sign(wl)
        else:
            total = total + ((fl.abs() + 1e-4) / nl ** 2)[:, None] * wl
        x = torch.clamp(s.x0[idx] + (1 + overshoot) * total, 0, 1)
    if len(idx):
        a = adversarial(probs(x), s.y[idx])
        s.record(idx[a], x[a])


def worst_norm(x0, linf=False):
    return dist(torch.maximum(x0, 1 - x0), linf)


def ddn(s, steps=50, gamma=0.05, init=1.0, a0=1.0, a1=0.01):
    idx = torch.nonzero(~s.found)[:, 0]
    x = s.x0[idx].clone(); x0 = s.x0[idx]; y = s.y[idx]
    eps = torch.full((len(idx),), init); worst = worst_norm(x0)
    for i in range(steps):
        alpha = a1 + (a0 - a1) * (1 + math.cos(math.pi * i / steps)) / 2
        g, p = ce_grad(x, y); s.grads[idx] += 1
        a = adversarial(p, y)
        s.record(idx[a], x[a])
        eps = torch.minimum(eps * torch.where(a, 1 - gamma, 1 + gamma), worst)
        gn = g.norm(dim=1, keepdim=True)
        x = x + alpha * torch.where(gn > 0, g / gn.clamp(min=1e-300), torch.zeros_like(g))
        d = x - x0; dn = d.norm(dim=1, keepdim=True)
        x = torch.where(dn > 0, x0 + eps[:, None] * d / dn.clamp(min=1e-300), x)
        x = torch.clamp(x, 0, 1)


def fmn(s, steps=50, a0=1.0, g0=0.05, g1=0.001, linf=False):
    idx = torch.nonzero(~s.found)[:, 0]
    x = s.x0[idx].clone(); x0 = s.x0[idx]; y = s.y[idx]
    n = len(idx); eps = torch.full((n,), math.inf); worst = worst_norm(x0, linf); best = worst.clone()
    found = torch.zeros(n, dtype=torch.bool); a1 = a0 / 100
    for i in range(steps):
        cosine = (1 + math.cos(math.pi * i / steps)) / 2
        alpha = a1 + (a0 - a1) * cosine; gamma = g1 + (g0 - g1) * cosine
        _, p0 = ce_grad(x, y)          # the prediction picks the rival, as our first cross-entropy call does
        o = runner_up(p0, y)
        g, p = logit_grad(x, y, o); s.grads[idx] += 2
        r = torch.arange(n)
        loss = -(logp(p)[r, y] - logp(p)[r, o]) - KAPPA0
        length = dist(x - x0, linf)
        a = adversarial(p, y)
        found |= a
        best = torch.where(a & (length < best), length, best)
        s.record(idx[a], x[a])
        lin = length + loss.abs() / (g.abs().sum(dim=1) if linf else g.norm(dim=1)).clamp(min=1e-12)
        if i == 0:
            new = torch.where(a, torch.minimum(eps * (1 - gamma), best), lin)
        else:
            new = torch.where(a, torch.minimum(eps * (1 - gamma), best),
                              torch.where(found, eps * (1 + gamma), torch.maximum(lin, eps * (1 + gamma))))
        eps = torch.minimum(new, worst)
        gn = g.norm(dim=1, keepdim=True)
        x = x - alpha * torch.where(gn > 0, g / gn.clamp(min=1e-300), torch.zeros_like(g))
        d = x - x0
        if linf:
            x = torch.clamp(x0 + torch.minimum(torch.maximum(d, -eps[:, None]), eps[:, None]), 0, 1)
        else:
            dn = d.norm(dim=1)
            scale = torch.where(dn > eps, eps / dn.clamp(min=1e-300), torch.ones_like(dn))
            x = torch.clamp(x0 + scale[:, None] * d, 0, 1)


def cw(s, binary=2, steps=20, c0=0.1, lr=0.05):
    idx = torch.nonzero(~s.found)[:, 0]
    x0 = s.x0[idx]; y = s.y[idx]; n = len(idx); r = torch.arange(n)
    w0 = torch.atanh(torch.clamp((x0 / 0.5 - 1) * 0.999999, -1, 1))
    c = torch.full((n,), c0); lower = torch.zeros(n); upper = torch.full((n,), 1e10)
    for _ in range(binary):
        w = w0.clone(); m = torch.zeros_like(w); v = torch.zeros_like(w)
        success = torch.zeros(n, dtype=torch.bool)
        for t in range(1, steps + 1):
            x = 0.5 * (torch.tanh(w) + 1)
            _, p0 = ce_grad(x, y)
            o = runner_up(p0, y)
            g, p = logit_grad(x, y, o); s.grads[idx] += 2
            a = adversarial(p, y)
            success |= a
            s.record(idx[a], x[a])
            f = logp(p)[r, y] - logp(p)[r, o]
            weight = torch.where(f > -KAPPA0, c, torch.zeros_like(c))
            gx = 2 * (x - x0) + weight[:, None] * g
            gw = gx * 0.5 * (1 - torch.tanh(w) ** 2)
            m = 0.9 * m + 0.1 * gw; v = 0.999 * v + 0.001 * gw * gw
            w = w - lr * (m / (1 - 0.9 ** t)) / (torch.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        upper = torch.where(success, torch.minimum(upper, c), upper)
        lower = torch.where(success, lower, torch.maximum(lower, c))
        c = torch.where(upper < 1e10, (lower + upper) / 2, torch.where(success, c, c * 10))


# name, function, minimum-norm, L∞ (the norm the attack keeps its best example by and is compared in)
ATTACKS = [("fgsm", fgsm, False, True), ("pgd", pgd, False, True), ("pgd-l2", lambda s: pgd(s, eps=1.0, l2=True), False, False),
           ("deepfool", deepfool, True, False), ("deepfool-linf", lambda s: deepfool(s, linf=True), True, True),
           ("ddn", ddn, True, False), ("fmn", fmn, True, False), ("fmn-linf", lambda s: fmn(s, linf=True), True, True), ("cw", cw, True, False)]


def run(fn, minimum, linf, x0, y):
    s = State(x0, y, linf); s.check_clean(); fn(s)
    if minimum:
        s.refine()
    return s


print("attack\tbatch\twall_ms_per_example\tcpu_ms_per_example\tsuccesses\tmean_l2\tmean_linf\tgradients_per_example\tagree\tmax_rel_diff")
n = len(Y)
for name, fn, minimum, linf in ATTACKS:
    run(fn, minimum, linf, X[:10], Y[:10])   # warm-up
    ours = np.loadtxt(os.path.join(export, f"ours_{name}.txt"), ndmin=2)
    for batch in (1, n):
        c0 = time.process_time(); t0 = time.perf_counter()
        l2 = np.full(n, np.nan); li = np.full(n, np.nan); ok = np.zeros(n, dtype=bool); grads = np.zeros(n)
        for start in range(0, n, batch):
            s = run(fn, minimum, linf, X[start:start + batch], Y[start:start + batch])
            f = s.found.numpy(); d = (s.best - s.x0)
            ok[start:start + batch] = f
            l2[start:start + batch] = np.where(f, d.norm(dim=1).numpy(), np.nan)
            li[start:start + batch] = np.where(f, d.abs().amax(dim=1).numpy(), np.nan)
            grads[start:start + batch] = s.grads.numpy()
        wall = (time.perf_counter() - t0) * 1000 / n; cpu = (time.process_time() - c0) * 1000 / n
        agree = int((ok == (ours[:, 0] == 1)).sum())
        both = ok & (ours[:, 0] == 1)
        # The largest relative difference of the final example's L2 and L∞ distortions over the examples both fooled.
        rel = float(max(np.max(np.abs(l2[both] - ours[both, 1]) / l2[both]), np.max(np.abs(li[both] - ours[both, 2]) / li[both]))) if both.any() else float("nan")
        print(f"{name}\t{batch}\t{wall:.3f}\t{cpu:.3f}\t{ok.sum()}\t{np.nanmean(l2):.5f}\t{np.nanmean(li):.5f}\t{grads.mean():.1f}\t{agree}/{n}\t{rel:.2e}")
