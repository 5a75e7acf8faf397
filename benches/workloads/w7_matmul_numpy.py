"""W7 in NumPy: a @ b (OpenBLAS with BENCH_THREADS threads, as many as the others use)."""
import os

os.environ["OPENBLAS_NUM_THREADS"] = os.environ.get("BENCH_THREADS", "2")
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"]

import numpy as np  # noqa: E402

from _common import arg, emit, numpy_fits

n = arg(1, 4000)
numpy_fits(8 * n * n * 3, "a, b and c")
i = np.arange(n)
a = ((i[:, None] * 7 + i[None, :] * 3) % 101) / 101.0
b = ((i[:, None] * 5 + i[None, :] * 11) % 103) / 103.0
c = a @ b
emit("n", n)
emit("sum", float(c.sum()))
emit("corner", float(c[::997, ::991].sum()))
