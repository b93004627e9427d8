#!/usr/bin/python3
"""Simulation behind the safety-margin policy of Intriguing.Spectral.OperatorNorm (see its XML docs).

Golub-Kahan-Lanczos with full reorthogonalisation, the same stopping rule and bound as the C# code:
    bound = theta + max(rho over the last ceil(window*k) steps) + margin*tol*theta
    stop when that bound - theta <= tol*theta
on diagonal operators diag(s) (for a Gaussian start vector these stand for U diag(s) V^T by orthogonal invariance)
whose top is a cluster of K singular values spaced `gap` apart, the rest uniform below 1 - K*gap - 1e-3.
It counts runs whose bound comes out below sigma_1 = 1 and the worst shortfall in units of tol.
(The C# rounding allowance, ~1e-12 relative, is left out; it does not matter at these tolerances.)

  /usr/bin/python3 bench/reference/lanczos_cluster_sim.py                      # the default policy
  /usr/bin/python3 bench/reference/lanczos_cluster_sim.py --window 0 --margin 0  # latest residual only
  /usr/bin/python3 bench/reference/lanczos_cluster_sim.py --window 0 --margin 0 --rho-scale 0.7071  # rho/sqrt(2)
"""
import argparse

import numpy as np
from scipy.linalg import eigh_tridiagonal


def gkl_bound(s, tol, window, margin, seed, kmax, rho_scale=1.0):
    n = len(s)
    rng = np.random.default_rng(seed)
    V = np.zeros((kmax + 1, n))
    U = np.zeros((kmax, n))
    v = rng.standard_normal(n)
    V[0] = v / np.linalg.norm(v)
    alpha, beta, rhos = [], [], []
    for j in range(kmax):
        u = s * V[j]
        if j > 0:
            u -= beta[-1] * U[j - 1]
        for _ in range(2):
            u -= U[:j].T @ (U[:j] @ u)
        a = np.linalg.norm(u)
        U[j] = u / a
        alpha.append(a)
        w = s * U[j] - a * V[j]
        for _ in range(2):
            w -= V[:j + 1].T @ (V[:j + 1] @ w)
        b = np.linalg.norm(w)
        V[j + 1] = w / b
        beta.append(b)
        k = j + 1
        off = np.empty(2 * k - 1)
        off[0::2] = alpha
        off[1::2] = beta[:-1]
        ev, vec = eigh_tridiagonal(np.zeros(2 * k), off, select="i", select_range=(2 * k - 1, 2 * k - 1))
        theta = ev[0]
        rhos.append(rho_scale * abs(b * vec[2 * k - 1, 0]) * np.sqrt(2))
        w_len = max(1, int(np.ceil(window * k)))
        err = max(rhos[-w_len:]) + margin * tol * theta
        if err <= tol * theta:
            break
    return theta + err, k


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=600)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--window", type=float, default=0.25)
    p.add_argument("--margin", type=float, default=0.25, help="in units of tol")
    p.add_argument("--starts", type=int, default=1)
    p.add_argument("--rho-scale", type=float, default=1.0,
                   help="1 uses rho as the C# code does; 0.7071 uses rho/sqrt(2), the rigorous distance bound")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--clusters", default="2,3,5,10")
    p.add_argument("--gaps", default="10,3,1.5,1,0.7,0.5,0.3,0.1", help="in units of tol")
    a = p.parse_args()
    rng = np.random.default_rng(5)
    total = fails = 0
    worst = -np.inf
    for K in (int(t) for t in a.clusters.split(",")):
        for g in (float(t) for t in a.gaps.split(",")):
            gap = g * a.tol
            f = 0
            wk = -np.inf
            its = []
            for r in range(a.runs):
                rest = np.sort(rng.uniform(0, 1 - K * gap - 1e-3, a.n - K))[::-1]
                s = np.concatenate([1 - gap * np.arange(K), rest])
                best = -np.inf
                for t in range(a.starts):
                    bound, k = gkl_bound(s, a.tol, a.window, a.margin, 1000 * r + t, min(a.n, 1000), a.rho_scale)
                    best = max(best, bound)
                    its.append(k)
                short = (1 - best) / a.tol
                f += short > 0
                wk = max(wk, short)
            total += a.runs
            fails += f
            worst = max(worst, wk)
            print(f"K={K:2d} spacing={g:5.2f} tol: low {f:2d}/{a.runs}, worst shortfall {wk:+.3f} tol, mean iterations {np.mean(its):.0f}", flush=True)
    print(f"total: {fails} of {total} runs low, worst shortfall {worst:+.3f} tol")


if __name__ == "__main__":
    main()
