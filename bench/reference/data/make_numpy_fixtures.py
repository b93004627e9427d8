#!/usr/bin/env python3
"""Writes small NumPy files that the data-loader tests read, so the reader is checked against files NumPy itself wrote.

    /usr/bin/python3 bench/reference/data/make_numpy_fixtures.py tests/Intriguing.Runtime.Tests/Data/NumPy

Values follow formulas the tests recompute: x[i] = i / 4 - 1 (float32, float64), x[i] = (7 i) mod 256 (uint8),
labels[i] = i mod 3.
"""
import os
import sys

import numpy as np


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    n, shape = 4, (2, 3)
    size = n * shape[0] * shape[1]
    f = (np.arange(size) / 4.0 - 1.0).reshape((n,) + shape)
    labels = np.arange(n) % 3
    np.save(os.path.join(out, "x_f4.npy"), f.astype(np.float32))
    np.save(os.path.join(out, "x_f8.npy"), f.astype(np.float64))
    np.save(os.path.join(out, "x_u1.npy"), ((np.arange(size) * 7) % 256).astype(np.uint8).reshape((n,) + shape))
    np.save(os.path.join(out, "y_i8.npy"), labels.astype(np.int64))
    np.save(os.path.join(out, "y_u1.npy"), labels.astype(np.uint8))
    np.save(os.path.join(out, "x_f4_fortran.npy"), np.asfortranarray(f.astype(np.float32)))
    np.savez_compressed(os.path.join(out, "set.npz"), x=f.astype(np.float32), y=labels.astype(np.int32))


if __name__ == "__main__":
    main()
