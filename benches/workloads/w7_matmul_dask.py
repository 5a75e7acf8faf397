"""W7 in Dask: a @ b of two n x n f64 arrays in 1000² chunks."""
import dask.array as da

from _common import arg, dask_threads, emit

dask_threads()
n = arg(1, 4000)
i = da.arange(n, chunks=1000)
a = ((i[:, None] * 7 + i[None, :] * 3) % 101) / 101.0
b = ((i[:, None] * 5 + i[None, :] * 11) % 103) / 103.0
c = a @ b
s, corner = da.compute(c.sum(), c[::997, ::991].sum())
emit("n", n)
emit("sum", float(s))
emit("corner", float(corner))
