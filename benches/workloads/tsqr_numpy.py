"""TSQR's workload in NumPy: np.linalg.qr of the whole n x 16 array in memory (LAPACK through
OpenBLAS with BENCH_THREADS threads), then Q^T Q."""
import os

os.environ["OPENBLAS_NUM_THREADS"] = os.environ.get("BENCH_THREADS", "2")
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"]

import numpy as np  # noqa: E402

from _common import arg, emit, numpy_fits

n = arg(1, 20_000_000)
numpy_fits(8 * n * 16 * 4, "x, its int temporaries, q")
i = np.arange(n)[:, None]
j = np.arange(16)[None, :]
x = ((i * 7 + j * 3) % 101) / 101.0 + ((i * (j + 2)) % 103) / 103.0
q, r = np.linalg.qr(x)
emit("n", n)
emit("rdiag", float(np.abs(np.diag(r)).sum()))
emit("orth_ok", "true" if np.abs(q.T @ q - np.eye(16)).max() < 1e-10 else "false")
