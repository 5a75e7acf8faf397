"""W2 in NumPy, as in the tutorial: the whole 20000 x 20000 array at once."""
import numpy as np

from _common import arg, emit, numpy_fits

n = arg(1, 20000)
numpy_fits(8 * n * n, f"a {n} x {n} float64 array")
x = np.random.normal(10, 0.1, size=(n, n))
y = x.mean(axis=0)[::100]
emit("len", len(y))
emit("mean", float(y.mean()))
emit("std", float(y.std()))
emit("min", float(y.min()))
emit("max", float(y.max()))
