#!/usr/bin/env python3
"""Independent float64 PyTorch implementation of the project's certification algorithm for FC100-100-10, written from
the papers (CROWN: Zhang et al. 2018; the dual of the ball-and-box minimum: docs/certification.md), not from the C#.

Reads EXPORT/certify.bin written by `Intriguing.Benchmarks certify-table CKPT COUNT EXPORT`, recomputes the margin lower
bounds at the exported radii and the certified radii by the same search, and prints
  - the largest relative difference of the margin bounds against ours (ratio |ours - ref| / max(1, |ref|)),
  - the radii's largest relative difference,
  - milliseconds per example of the radius search (one thread).
Usage: crown_torch.py EXPORT_DIR [THREADS]
"""
import math
import struct
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

HIDDEN_ITERATIONS = 12
MARGIN_ITERATIONS = 100


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    off = 0

    def take(fmt, n=1):
        nonlocal off
        size = struct.calcsize("<" + fmt * n)
        values = struct.unpack_from("<" + fmt * n, data, off)
        off += size
        return values

    (count,) = take("i")
    labels, xs = [], []
    for _ in range(count):
        (label,) = take("i")
        labels.append(label)
        xs.append(np.array(take("f", 784), dtype=np.float32))
    layers = []
    for _ in range(3):
        rows, cols = take("i", 2)
        w = np.array(take("f", rows * cols), dtype=np.float32).reshape(rows, cols)
        b = np.array(take("f", rows), dtype=np.float32)
        layers.append((torch.tensor(w.astype(np.float64)), torch.tensor(b.astype(np.float64))))
    radii, margins = {}, {}
    for norm in ("l2", "linf"):
        radii[norm] = np.array(take("d", count))
        margins[norm] = np.array(take("d", count * 10)).reshape(count, 10)
    return labels, xs, layers, radii, margins


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def dsig(z):
    s = sig(z)
    return s * (1 - s)


def sigmoid_lines(l, u):
    """(lower slope, lower intercept, upper slope, upper intercept) of sigmoid on [l, u] (CROWN's rules)."""
    fl, fu = sig(l), sig(u)
    if not (u - l > 1e-6):
        return 0.0, fl, 0.0, fu
    k = (fu - fl) / (u - l)
    chord_b = fl - k * l
    if u <= 0:
        m = 0.5 * (l + u)
        s = dsig(m)
        return s, sig(m) - s * m, k, chord_b
    if l >= 0:
        m = 0.5 * (l + u)
        s = dsig(m)
        return k, chord_b, s, sig(m) - s * m
    if k <= dsig(u):
        ua, ub = k, chord_b
    else:
        a, b = 0.0, u
        for _ in range(40):
            m = 0.5 * (a + b)
            if sig(m) + dsig(m) * (l - m) >= fl:
                b = m
            else:
                a = m
        ua, ub = dsig(b), sig(b) - dsig(b) * b
    if k <= dsig(l):
        la, lb = k, chord_b
    else:
        a, b = l, 0.0
        for _ in range(40):
            m = 0.5 * (a + b)
            if sig(m) + dsig(m) * (u - m) <= fu:
                a = m
            else:
                b = m
        la, lb = dsig(a), sig(a) - dsig(a) * a
    return la, lb, ua, ub


def relax(lo, hi):
    lines = [sigmoid_lines(float(l), float(u)) for l, u in zip(lo.tolist(), hi.tolist())]
    t = torch.tensor(lines)
    return t[:, 0], t[:, 1], t[:, 2], t[:, 3]


def through_sigmoid(lam, lines):
    """Rows lam over sigmoid outputs -> rows over its inputs and the constants they add."""
    la, lb, ua, ub = lines
    pos = lam >= 0
    slope = torch.where(pos, la, ua)
    inter = torch.where(pos, lb, ub)
    return lam * slope, (lam * inter).sum(dim=1)


def ball_box_min(a, x, lo, hi, eps, iterations):
    """Rows a (r x n): lower bound of a.x' over ||x'-x||_2 <= eps and lo <= x' <= hi (the dual of docs/certification.md)."""
    center = a @ x
    cap = torch.where(a > 0, (x - lo).expand_as(a), (hi - x).expand_as(a))
    cap = torch.where(a == 0, torch.zeros_like(cap), cap)
    absa = a.abs()
    norm2 = (a * a).sum(dim=1)
    box = center - (absa * cap).sum(dim=1)
    out = torch.empty_like(center)
    eps2 = eps * eps
    cap2 = (cap * cap).sum(dim=1)
    for r in range(a.shape[0]):
        if norm2[r] == 0:
            out[r] = center[r]
            continue
        if cap2[r] <= eps2:
            out[r] = box[r]
            continue
        if eps == 0:
            out[r] = center[r]
            continue
        t = eps / math.sqrt(norm2[r])
        ar, cr, ab = a[r], cap[r], absa[r]
        nz = ar != 0
        for _ in range(iterations):
            sat = (ab * t >= cr) & nz
            free = ((ar * ar) * (~sat & nz)).sum().item()
            satsum = ((cr * cr) * sat).sum().item()
            if free <= 0:
                break
            nxt = math.sqrt(max(0.0, eps2 - satsum) / free)
            if not nxt > t * (1 + 1e-6):
                break
            t = nxt
        mu = 1 / t
        d = torch.minimum(ab * t, cr) * nz
        g = (-ab * d + mu * d * d / 2).sum().item() - mu * eps2 / 2
        out[r] = max(center[r].item() + g, box[r].item())
    return out


def concretize(a, c, x, lo, hi, norm, eps, iterations):
    if norm == "linf":
        return c + torch.where(a >= 0, a * lo, a * hi).sum(dim=1)
    return c + ball_box_min(a, x, lo, hi, eps, iterations)


def interval_dense(w, b, lo, hi):
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    c, r = w @ mid + b, w.abs() @ rad
    return c - r, c + r


def margins(layers, x, label, norm, eps):
    (w1, b1), (w2, b2), (w3, b3) = layers
    lo0 = torch.clamp(x - eps, min=0.0)
    hi0 = torch.clamp(x + eps, max=1.0)
    # Layer 1: intervals, and for L2 the rows +-W1 with the exact input minimum.
    l1, u1 = interval_dense(w1, b1, lo0, hi0)
    if norm == "l2":
        rows = torch.cat([w1, -w1])
        consts = torch.cat([b1, -b1])
        v = concretize(rows, consts, x, lo0, hi0, norm, eps, HIDDEN_ITERATIONS)
        l1 = torch.maximum(l1, v[:100])
        u1 = torch.minimum(u1, -v[100:])
    s1 = relax(l1, u1)
    # Layer 3 (second dense): intervals, then rows +-W2 carried through sigmoid 1 and W1.
    l3, u3 = interval_dense(w2, b2, torch.sigmoid(l1), torch.sigmoid(u1))
    rows = torch.cat([w2, -w2])
    consts = torch.cat([b2, -b2])
    rows, add = through_sigmoid(rows, s1)
    consts = consts + add
    consts = consts + rows @ b1
    rows = rows @ w1
    v = concretize(rows, consts, x, lo0, hi0, norm, eps, HIDDEN_ITERATIONS)
    l3 = torch.maximum(l3, v[:100])
    u3 = torch.minimum(u3, -v[100:])
    s2 = relax(l3, u3)
    l5, u5 = interval_dense(w3, b3, torch.sigmoid(l3), torch.sigmoid(u3))
    # Margins: rows W3[label] - W3[j] carried through sigmoid 2, W2, sigmoid 1, W1.
    others = [j for j in range(10) if j != label]
    rows = w3[label].unsqueeze(0) - w3[others]
    consts = b3[label] - b3[others]
    rows, add = through_sigmoid(rows, s2)
    consts = consts + add + rows @ b2
    rows = rows @ w2
    rows, add = through_sigmoid(rows, s1)
    consts = consts + add + rows @ b1
    rows = rows @ w1
    v = concretize(rows, consts, x, lo0, hi0, norm, eps, MARGIN_ITERATIONS)
    out = np.full(10, np.inf)
    for r, j in enumerate(others):
        out[j] = max(v[r].item(), (l5[label] - u5[j]).item())
    return out


def radius(layers, x, label, norm, tolerance=1e-3):
    """The project's search: first-order guess, doubling, Illinois regula falsi until hi <= lo (1 + tolerance)."""
    f = lambda e: float(np.min(margins(layers, x, label, norm, e)))
    limit_terms = torch.maximum(x, 1 - x)
    limit = math.sqrt(float((limit_terms ** 2).sum())) if norm == "l2" else float(limit_terms.max())
    f0 = f(0.0)
    if not f0 > 0:
        return 0.0
    # The margins' gradients at the input (sigmoid slopes at the clean point).
    (w1, b1), (w2, b2), (w3, b3) = layers
    z1 = w1 @ x + b1
    a1 = torch.sigmoid(z1)
    z2 = w2 @ a1 + b2
    a2 = torch.sigmoid(z2)
    z3 = w3 @ a2 + b3
    best = math.inf
    for j in range(10):
        if j == label:
            continue
        g = (w3[label] - w3[j]) * a2 * (1 - a2)
        g = (g @ w2) * a1 * (1 - a1)
        g = g @ w1
        dual = float(g.norm()) if norm == "l2" else float(g.abs().sum())
        if dual > 0:
            best = min(best, float(z3[label] - z3[j]) / dual)
    guess = min(0.5 * best, limit) if math.isfinite(best) and best > 0 else limit / 100
    lo, flo = 0.0, f0
    f1 = f(guess)
    if f1 > 0:
        lo, flo = guess, f1
        while True:
            nxt = min(2 * lo, limit)
            fn = f(nxt)
            if fn > 0:
                lo, flo = nxt, fn
                if nxt >= limit:
                    return limit
                continue
            hi, fhi = nxt, fn
            break
    else:
        hi, fhi = guess, f1
    side = 0
    evaluations = 0
    while hi - lo > tolerance * lo or lo == 0:
        g = lo - flo * (hi - lo) / (fhi - flo)
        m = (hi - lo) / 16
        if not g >= lo + m:
            g = lo + m
        if not g <= hi - m:
            g = hi - m
        if g <= lo or g >= hi:
            break
        fg = f(g)
        evaluations += 1
        if fg > 0:
            lo, flo = g, fg
            if side == 1:
                fhi /= 2
            side = 1
        else:
            hi, fhi = g, fg
            if side == -1:
                flo /= 2
            side = -1
        if evaluations > 200:
            break
    return lo


def main():
    export = sys.argv[1]
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    labels, xs, layers, radii, ours = read(export + "/certify.bin")
    worst = {}
    for norm in ("l2", "linf"):
        diff = 0.0
        for i, (x, label) in enumerate(zip(xs, labels)):
            ref = margins(layers, torch.tensor(x.astype(np.float64)), label, norm, 0.5 * radii[norm][i])
            for j in range(10):
                if j == label:
                    continue
                diff = max(diff, abs(ours[norm][i, j] - ref[j]) / max(1.0, abs(ref[j])))
        worst[norm] = diff
    print("norm\tmax_rel_diff_margin_bounds\tmax_rel_diff_radius\tms_per_example")
    for norm in ("l2", "linf"):
        start = time.perf_counter()
        rdiff = 0.0
        for i, (x, label) in enumerate(zip(xs, labels)):
            r = radius(layers, torch.tensor(x.astype(np.float64)), label, norm)
            rdiff = max(rdiff, abs(r - radii[norm][i]) / max(1e-12, radii[norm][i]))
        ms = 1000 * (time.perf_counter() - start) / len(xs)
        print(f"{'L2' if norm == 'l2' else 'LInfinity'}\t{worst[norm]:.3g}\t{rdiff:.3g}\t{ms:.3f}")


if __name__ == "__main__":
    main()
