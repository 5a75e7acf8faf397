"""W9-mean in Dask: the per-step mean over (y, x) of the Zarr cube."""
import sys

import dask
import dask.array as da
import numpy as np

from _common import dask_threads, emit

dask_threads()
cube = da.from_zarr(sys.argv[1])
m = cube.mean(axis=(1, 2))
s, m0 = dask.compute(m.astype(np.float64).sum(), m[0])
emit("step_mean_sum", float(s))
emit("step_mean_0", float(m0))
