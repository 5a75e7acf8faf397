"""W6 in Dask: x / da.linalg.norm(x, axis=1, keepdims=True) from Zarr back to Zarr."""
import sys

import dask.array as da
import numpy as np

from _common import dask_threads, emit

dask_threads()
x = da.from_zarr(sys.argv[1])
y = x / da.linalg.norm(x, axis=1, keepdims=True)
da.to_zarr(y, sys.argv[2], overwrite=True)
z = da.from_zarr(sys.argv[2])
emit("shape", tuple(z.shape))
emit("check", float(z[:2000].astype(np.float64).sum().compute()))
