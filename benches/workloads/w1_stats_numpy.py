"""W1 in NumPy: the whole array in memory."""
import numpy as np

from _common import arg, emit, numpy_fits

n = arg(1, 200_000_000)
numpy_fits(3 * 8 * n, f"three arrays of {n} float64 (the data and two temporaries)")
x = np.arange(n) % 1000
x = x * 0.001
x += 10.0
emit("n", n)
emit("sum", float(x.sum()))
emit("mean", float(x.mean()))
emit("std", float(x.std()))
