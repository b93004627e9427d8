#!/usr/bin/python3
"""NumPy reference for the 2-D complex FFT benchmark: numpy.fft.fft2 on complex64 input.

Usage: /usr/bin/python3 fft_numpy.py [sizes...]  prints "size microseconds" per square N×N forward transform.
Timing: warm-up, then 31 samples of ~2 ms of back-to-back calls; median per call (same method as fft_fftw.c).
"""
import sys
import time

import numpy as np

sizes = [int(a) for a in sys.argv[1:]] or [8, 13, 16, 28, 32, 55, 64, 128, 224, 256]
for n in sizes:
    rng = np.random.default_rng(n)
    x = (rng.uniform(-1, 1, (n, n)) + 1j * rng.uniform(-1, 1, (n, n))).astype(np.complex64)
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.3:
        np.fft.fft2(x)
        calls += 1
    per = max(1, int(calls * 0.002 / (time.perf_counter() - start)))
    samples = []
    for _ in range(31):
        t0 = time.perf_counter()
        for _ in range(per):
            np.fft.fft2(x)
        samples.append((time.perf_counter() - t0) / per * 1e6)
    samples.sort()
    print(f"{n} {samples[15]:.3f}", flush=True)
