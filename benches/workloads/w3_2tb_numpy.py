"""W3 in NumPy: the whole N x N array at once (in place, so one array of 8 N^2 bytes).

Written `x += 1` rather than `(x + 1)` so that N = 40000 (12.8 GB) fits this machine at all;
at the 2 TB size plain NumPy cannot run and the script says so.
"""
import numpy as np

from _common import arg, emit, numpy_fits

n = arg(1, 40000)
numpy_fits(8 * n * n, f"a {n} x {n} float64 array")
x = np.random.normal(10, 1, size=(n, n))
x += 1
s = float(x[::2, ::2].sum())
kept = ((n + 1) // 2) ** 2
emit("count", kept)
emit("sum", s)
emit("mean", s / kept)
