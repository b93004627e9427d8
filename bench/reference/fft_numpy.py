#!/usr/bin/python3
"""NumPy reference for the complex FFT benchmark: numpy.fft.fft2 (or, with --1d, numpy.fft.fft) on complex64 input.

Usage: /usr/bin/python3 fft_numpy.py [--1d] [sizes...]  prints "size microseconds" per square N×N (or length-N)
forward transform.
Timing: warm-up, then 31 samples of ~2 ms of back-to-back calls; median per call (same method as fft_fftw.c).
"""
import sys
import time

import numpy as np

args = sys.argv[1:]
one_d = bool(args) and args[0] == "--1d"
if one_d:
    args = args[1:]
sizes = [int(a) for a in args] or [8, 13, 16, 28, 32, 55, 64, 128, 224, 256]
transform = np.fft.fft if one_d else np.fft.fft2
for n in sizes:
    rng = np.random.default_rng(n)
    shape = (n,) if one_d else (n, n)
    x = (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)).astype(np.complex64)
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.3:
        transform(x)
        calls += 1
    per = max(1, int(calls * 0.002 / (time.perf_counter() - start)))
    samples = []
    for _ in range(31):
        t0 = time.perf_counter()
        for _ in range(per):
            transform(x)
        samples.append((time.perf_counter() - t0) / per * 1e6)
    samples.sort()
    print(f"{n} {samples[15]:.3f}", flush=True)
