"""W3 in Dask, as in the post: RandomState().normal, 10000 x 10000 chunks, threaded scheduler."""
import dask.array as da

from _common import arg, dask_threads, emit

dask_threads()
n = arg(1, 40000)
rs = da.random.RandomState()
x = rs.normal(10, 1, size=(n, n), chunks=(10000, 10000))
s = float((x + 1)[::2, ::2].sum().compute())
kept = ((n + 1) // 2) ** 2
emit("count", kept)
emit("sum", s)
emit("mean", s / kept)
