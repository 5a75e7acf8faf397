"""TSQR in Dask: da.linalg.qr of an n x 16 f64 array in row blocks of 10^5, then Q^T Q."""
import dask.array as da
import numpy as np

from _common import arg, dask_threads, emit

dask_threads()
n = arg(1, 20_000_000)
i = da.arange(n, chunks=100_000)[:, None]
j = np.arange(16)[None, :]
x = ((i * 7 + j * 3) % 101) / 101.0 + ((i * (j + 2)) % 103) / 103.0
q, r = da.linalg.qr(x)
rdiag, orth = da.compute(abs(da.diag(r)).sum(), abs(q.T @ q - np.eye(16)).max())
emit("n", n)
emit("rdiag", float(rdiag))
emit("orth_ok", "true" if orth < 1e-10 else "false")
