#!/usr/bin/python3
"""Reference timings for the operator norm of a strided multi-channel convolution (bench/reference/convnorm_compare.sh).

Reads lines "name C D k stride padding mode N seconds estimate upper" (the C# convnorm-table output) on stdin and the
weights DIR/name.f32 (float32, D x C x k x k) written by it, and prints for each shape:
  name numpy_seconds numpy_norm torch_seconds torch_norm numpy_cpu_seconds   (default)
  name torch_seconds torch_norm                                    (with --torch-only)
NumPy: the same Fourier method — np.fft.fft2 of the kernels zero-padded to the N x N periodic map, then the largest
singular value of the D x (C*s^2) matrices A(eta) = s^-1 [K(eta + l*N/s)]_l over all N/s x N/s frequencies by
np.linalg.svd(compute_uv=False), batched. PyTorch: power iteration on the explicit operator (conv2d on the circularly
or zero padded input, adjoint by autograd's vector-Jacobian product = conv_transpose2d), float64, ITER iterations.
Both report the best of REPEAT runs.
"""
import os
import sys
import time

import numpy as np

REPEAT = int(os.environ.get("REPEAT", "3"))
ITER = int(os.environ.get("TORCH_ITER", "300"))
SKIP_TORCH = os.environ.get("SKIP_TORCH", "") == "1"


def numpy_norm(w, stride, n):
    d, c, k, _ = w.shape
    spec = np.fft.fft2(w.astype(np.float64), s=(n, n))          # D x C x N x N, complex128
    no = n // stride
    # xi = eta + l * N/s: split each frequency axis into (l, eta).
    spec = spec.reshape(d, c, stride, no, stride, no)           # d, c, ly, ey, lx, ex
    a = spec.transpose(3, 5, 0, 2, 4, 1).reshape(no, no, d, stride * stride * c) / stride
    return np.linalg.svd(a, compute_uv=False).max()


def torch_norm(w, stride, padding, mode, iterations):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    weight = torch.from_numpy(w.astype(np.float64))
    d, c, k, _ = w.shape
    gen = torch.Generator().manual_seed(1)

    def forward(x):
        if mode == "circular":
            x = F.pad(x, (padding, padding, padding, padding), mode="circular")
            return F.conv2d(x, weight, stride=stride)
        return F.conv2d(x, weight, stride=stride, padding=padding)

    size = SIZE[0]
    x = torch.randn(1, c, size, size, dtype=torch.float64, generator=gen)
    x /= x.norm()
    sigma = 0.0
    for _ in range(iterations):
        x.requires_grad_(True)
        y = forward(x)
        (g,) = torch.autograd.grad(y, x, grad_outputs=y)          # A^T A x
        with torch.no_grad():
            sigma = y.norm().item()
            x = g / g.norm()
    return sigma


SIZE = [0]


CPU = [float("inf")]


def best_of(fn):
    """Best wall-clock time of REPEAT runs (and, in CPU[0], the best processor time of all threads)."""
    best, value = float("inf"), None
    CPU[0] = float("inf")
    for _ in range(REPEAT):
        c = time.process_time()
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
        CPU[0] = min(CPU[0], time.process_time() - c)
    return best, value


def main():
    wdir = sys.argv[1]
    torch_only = "--torch-only" in sys.argv[2:]
    for line in sys.stdin:
        parts = line.split()
        if len(parts) < 11:
            continue
        name, c, d, k, stride, padding, mode, n = parts[0], *map(int, parts[1:6]), parts[6], int(parts[7])
        size = int(name.split("@")[1])
        SIZE[0] = size
        w = np.fromfile(os.path.join(wdir, name + ".f32"), dtype=np.float32).reshape(d, c, k, k)
        if torch_only:
            t_t, v_t = best_of(lambda: torch_norm(w, stride, padding, mode, ITER))
            print(f"{name} {t_t:.4f} {v_t:.12g}", flush=True)
            continue
        numpy_norm(w, stride, n)                                  # warm-up
        t_np, v_np = best_of(lambda: numpy_norm(w, stride, n))
        cpu_np = CPU[0]
        if SKIP_TORCH:
            t_t, v_t = float("nan"), float("nan")
        else:
            t_t, v_t = best_of(lambda: torch_norm(w, stride, padding, mode, ITER))
        print(f"{name} {t_np:.4f} {v_np:.12g} {t_t:.4f} {v_t:.12g} {cpu_np:.4f}", flush=True)


if __name__ == "__main__":
    main()
