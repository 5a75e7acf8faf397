"""W1 in Dask: blocked sum / mean / std, one compute for the three results."""
import dask
import dask.array as da

from _common import arg, dask_threads, emit

dask_threads()
n = arg(1, 200_000_000)
x = (da.arange(n, chunks=1_000_000) % 1000) * 0.001 + 10.0
s, m, sd = dask.compute(x.sum(), x.mean(), x.std())
emit("n", n)
emit("sum", float(s))
emit("mean", float(m))
emit("std", float(sd))
