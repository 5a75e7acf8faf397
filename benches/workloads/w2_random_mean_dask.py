"""W2 in Dask, as in the tutorial (da.random.normal, 1000 x 1000 chunks)."""
import dask.array as da

from _common import arg, dask_threads, emit

dask_threads()
n = arg(1, 20000)
x = da.random.normal(10, 0.1, size=(n, n), chunks=(1000, 1000))
y = x.mean(axis=0)[::100].compute()
emit("len", len(y))
emit("mean", float(y.mean()))
emit("std", float(y.std()))
emit("min", float(y.min()))
emit("max", float(y.max()))
