#!/usr/bin/python3
"""Reference timings for the spectral norm of Gaussian weight matrices, for comparison with
bench/Intriguing.Benchmarks/Spectral/OperatorNormBenchmarks.cs.

Same sizes and distribution as the C# benchmark: entries N(0, 1/cols) stored as float32 (not the same draws: the
C# side uses Intriguing.SeededRandom). Each method runs on a float64 copy, as the C# code accumulates in double.

  numpy.linalg.norm(W, 2)          full SVD (LAPACK gesdd through OpenBLAS), singular values only
  scipy.sparse.linalg.svds(k=1)    ARPACK implicitly restarted Lanczos on the normal operator, tol=0 (machine precision)
  scipy svds(k=1, tol=1e-6)        the same, to the C# default relative tolerance

Run:  /usr/bin/python3 bench/reference/opnorm_numpy.py [--threads N] [--repeat R] [--sizes 100x784,1000x1000,4096x4096]
BLAS threads default to 1, matching the single-threaded C# code; pass --threads 2 to let OpenBLAS use both cores.
"""
import argparse
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="100x784,1000x1000,4096x4096")
    args = parser.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import numpy as np  # imported after the thread settings, which OpenBLAS reads at load time
    import scipy
    from scipy.sparse.linalg import svds

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, BLAS threads {args.threads}, best of {args.repeat}")
    rng = np.random.default_rng(42)
    for shape in args.sizes.split(","):
        m, n = (int(t) for t in shape.split("x"))
        w = (rng.standard_normal((m, n)) / np.sqrt(n)).astype(np.float32).astype(np.float64)

        def best(f):
            times, value = [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                value = f()
                times.append(time.perf_counter() - t0)
            return min(times), value

        t_norm, s_norm = best(lambda: np.linalg.norm(w, 2))
        t_svds, s_svds = best(lambda: svds(w, k=1, tol=0, random_state=1, return_singular_vectors=False)[0])
        t_svds6, s_svds6 = best(lambda: svds(w, k=1, tol=1e-6, random_state=1, return_singular_vectors=False)[0])
        print(f"{shape:>10}  norm(W,2) {t_norm*1e3:10.1f} ms  σ₁={s_norm:.15g}")
        print(f"{'':>10}  svds tol=0 {t_svds*1e3:9.1f} ms  σ₁={s_svds:.15g}  rel.diff {abs(s_svds-s_norm)/s_norm:.1e}")
        print(f"{'':>10}  svds 1e-6 {t_svds6*1e3:10.1f} ms  σ₁={s_svds6:.15g}  rel.diff {abs(s_svds6-s_norm)/s_norm:.1e}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
