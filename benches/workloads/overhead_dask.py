"""Scheduler overhead in Dask: da.ones(N, chunks=C).sum() on the threaded scheduler."""
from _common import arg, dask_threads, emit

import dask.array as da

dask_threads()
n = arg(1, 1_000_000)
c = arg(2, 10)
emit("chunks", n // c)
emit("sum", float(da.ones(n, chunks=c).sum().compute()))
