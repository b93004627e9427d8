#!/usr/bin/env python3
"""Independent float64 PyTorch implementation of the project's certification algorithm for the Table 1 models (dense
layers with sigmoids between them, soft-max at the end), written from the papers (CROWN: Zhang et al. 2018; the dual of
the ball-and-box minimum: docs/certification.md), not from the C#.

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

HIDDEN_ITERATIONS = 6
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
    (count_layers,) = take("i")
    for _ in range(count_layers):
        rows, cols = take("i", 2)
        w = np.array(take("f", rows * cols), dtype=np.float32).reshape(rows, cols)
        b = np.array(take("f", rows), dtype=np.float32)
        layers.append((torch.tensor(w.astype(np.float64)), torch.tensor(b.astype(np.float64))))
    radii, margins = {}, {}
    for norm in ("l2", "linf"):
        radii[norm] = np.array(take("d", count))
        classes = layers[-1][0].shape[0]
        margins[norm] = np.array(take("d", count * classes)).reshape(count, classes)
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
        for _ in range(24):
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
        for _ in range(24):
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


def back(rows, consts, layers, relaxations, top):
    """Carry rows over the output of dense layer `top` (0-based) down to the input: W, b of each dense layer and the
    relaxation of each sigmoid below."""
    for k in range(top, -1, -1):
        w, b = layers[k]
        consts = consts + rows @ b
        rows = rows @ w
        if k > 0:
            rows, add = through_sigmoid(rows, relaxations[k - 1])
            consts = consts + add
    return rows, consts


def margins(layers, x, label, norm, eps):
    lo0 = torch.clamp(x - eps, min=0.0)
    hi0 = torch.clamp(x + eps, max=1.0)
    relaxations = []
    lo, hi = lo0, hi0
    last = len(layers) - 1
    for k, (w, b) in enumerate(layers):
        l, u = interval_dense(w, b, lo, hi)
        if k == last:
            break
        # Hidden dense layer: rows +-W through everything below; the first layer only for L2 (exact for L-inf).
        if k > 0 or norm == "l2":
            n = w.shape[0]
            rows = torch.cat([w, -w])
            consts = torch.cat([b, -b])
            if k > 0:
                rows, add = through_sigmoid(rows, relaxations[k - 1])
                consts = consts + add
                rows, consts = back(rows, consts, layers, relaxations, k - 1)
            v = concretize(rows, consts, x, lo0, hi0, norm, eps, HIDDEN_ITERATIONS)
            l = torch.maximum(l, v[:n])
            u = torch.minimum(u, -v[n:])
        relaxations.append(relax(l, u))
        lo, hi = torch.sigmoid(l), torch.sigmoid(u)
    classes = layers[last][0].shape[0]
    w, b = layers[last]
    others = [j for j in range(classes) if j != label]
    rows = w[label].unsqueeze(0) - w[others]
    consts = b[label] - b[others]
    if last > 0:
        rows, add = through_sigmoid(rows, relaxations[last - 1])
        consts = consts + add
        rows, consts = back(rows, consts, layers, relaxations, last - 1)
    v = concretize(rows, consts, x, lo0, hi0, norm, eps, MARGIN_ITERATIONS)
    out = np.full(classes, np.inf)
    for r, j in enumerate(others):
        out[j] = max(v[r].item(), (l[label] - u[j]).item())
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
    acts, z = [], x
    for k, (w, b) in enumerate(layers):
        z = w @ z + b
        if k < len(layers) - 1:
            z = torch.sigmoid(z)
            acts.append(z)
    classes = layers[-1][0].shape[0]
    best = math.inf
    for j in range(classes):
        if j == label:
            continue
        g = layers[-1][0][label] - layers[-1][0][j]
        for k in range(len(layers) - 2, -1, -1):
            g = g * acts[k] * (1 - acts[k])
            g = g @ layers[k][0]
        dual = float(g.norm()) if norm == "l2" else float(g.abs().sum())
        if dual > 0:
            best = min(best, float(z[label] - z[j]) / dual)
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
            for j in range(len(ref)):
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
