"""Graph construction in Dask: the same array op over N / C chunks, not computed.

`build` stops at the collection (Dask's graph layers are lazy); `materialize` also expands
the task graph into its dict of tasks, which is what every compute() has to do first.
"""
import sys

import dask.array as da

from _common import arg, emit

n = arg(1, 10**9)
c = arg(2, 1000)
mode = sys.argv[3] if len(sys.argv) > 3 else "build"
x = da.ones(n, chunks=c)
y = (x + 1) * 2
emit("shape", "(%d,)" % y.shape)
emit("blocks", y.numblocks[0])
if mode == "materialize":
    emit("tasks", len(dict(y.__dask_graph__())))
