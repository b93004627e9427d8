#!/usr/bin/python3
"""SciPy's L-BFGS-B (the Fortran L-BFGS-B 3.0 core) on the shared test problems.

Usage:
  /usr/bin/python3 bench/reference/lbfgsb_scipy.py            # table: f*, |x*|, nfev, nit, wall time
  /usr/bin/python3 bench/reference/lbfgsb_scipy.py --json     # the fixture tests/.../Optimization/scipy_fixtures.json
Options match LbfgsbOptions defaults: m = 10, pgtol = 1e-5, factr = 1e7 (ftol = factr * eps), maxls = 20.
"""
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lbfgsb_problems import problems  # noqa: E402

M, PGTOL, FACTR, MAXLS, MAXITER, MAXFUN = 10, 1e-5, 1e7, 20, 15000, 15000


# Extra fixture rows with non-default options (problem, m, pgtol, factr): option plumbing and wrap-around of the
# history (m = 1, 3, 5), high and low accuracy.
VARIANTS = [
    ("powell_100_box", 1, 1e-5, 1e7),
    ("rosenbrock_1000_box", 3, 1e-5, 1e7),
    ("rosenbrock_100", 5, 1e-8, 10.0),
    ("trigonometric_100_box", 10, 1e-5, 1e12),
    ("attack_like_784_box", 5, 1e-8, 1e7),
]


def solve(fun, x0, lower, upper, m=M, pgtol=PGTOL, factr=FACTR):
    bounds = None if lower is None else list(zip(
        [None if not np.isfinite(v) else float(v) for v in lower],
        [None if not np.isfinite(v) else float(v) for v in upper]))
    return minimize(fun, x0.copy(), jac=True, method="L-BFGS-B", bounds=bounds,
                    options=dict(maxcor=m, gtol=pgtol, ftol=factr * np.finfo(float).eps, maxls=MAXLS,
                                 maxiter=MAXITER, maxfun=MAXFUN))


def timed(fun, x0, lower, upper, min_seconds=0.3, min_runs=3):
    best, runs, start = float("inf"), 0, time.perf_counter()
    while runs < min_runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        solve(fun, x0, lower, upper)
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best


def main():
    as_json = "--json" in sys.argv
    rows = []
    table = {name: (fun, x0, lower, upper) for name, fun, x0, lower, upper in problems()}
    runs = [(name, name, M, PGTOL, FACTR) for name in table]
    if as_json:
        runs += [(f"{p}@m{m}_pgtol{pgtol:g}_factr{factr:g}", p, m, pgtol, factr) for p, m, pgtol, factr in VARIANTS]
    for name, problem, m, pgtol, factr in runs:
        fun, x0, lower, upper = table[problem]
        res = solve(fun, x0, lower, upper, m, pgtol, factr)
        x = res.x
        row = dict(name=name, problem=problem, m=m, pgtol=pgtol, factr=factr, n=int(x.size), f=float(res.fun),
                   nfev=int(res.nfev), nit=int(res.nit), message=str(res.message),
                   x_norm=float(np.linalg.norm(x)), x_sum=float(np.sum(x)),
                   x=[float(v) for v in x] if x.size <= 200 else [float(v) for v in x[:8]])
        if not as_json:
            row["seconds"] = timed(fun, x0, lower, upper)
        rows.append(row)

    if as_json:
        doc = dict(
            command="/usr/bin/python3 bench/reference/lbfgsb_scipy.py --json > "
                    "tests/Intriguing.Runtime.Tests/Optimization/scipy_fixtures.json",
            scipy=scipy.__version__, numpy=np.__version__,
            options=dict(m=M, pgtol=PGTOL, factr=FACTR, maxls=MAXLS, maxiter=MAXITER, maxfun=MAXFUN,
                         note="defaults; each row states its own m, pgtol and factr"),
            note="x holds all components when n <= 200, otherwise the first 8",
            problems=rows)
        print(json.dumps(doc, indent=1))
    else:
        print(f"{'problem':32} {'n':>6} {'f*':>24} {'|x*|':>12} {'nfev':>6} {'nit':>6} {'time (ms)':>10}")
        for r in rows:
            print(f"{r['name']:32} {r['n']:6d} {r['f']:24.16e} {r['x_norm']:12.6f} {r['nfev']:6d} {r['nit']:6d} "
                  f"{1e3 * r['seconds']:10.3f}")


if __name__ == "__main__":
    main()
