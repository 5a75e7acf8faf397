"""W9 in Dask: per-step mean over (y, x) of a Zarr cube, and a 3 x 3 moving average by
map_overlap stored back to Zarr (the Xarray-over-Zarr seed)."""
import sys

import dask
import dask.array as da
import numpy as np

from _common import dask_threads, emit

dask_threads()
cube = da.from_zarr(sys.argv[1])
m = cube.mean(axis=(1, 2))
emit("shape", "(%d, %d, %d)" % cube.shape)
s, m0 = dask.compute(m.astype(np.float64).sum(), m[0])
emit("step_mean_sum", float(s))
emit("step_mean_0", float(m0))


def box3(b):
    s = b[:, :-2, :] + b[:, 1:-1, :] + b[:, 2:, :]
    return (s[:, :, :-2] + s[:, :, 1:-1] + s[:, :, 2:]) / np.float32(9.0)


avg = cube.map_overlap(box3, depth=(0, 1, 1), boundary="reflect", trim=False,
                       chunks=cube.chunks, dtype=cube.dtype)
avg.to_zarr(sys.argv[2], overwrite=True)
emit("avg_mean", float(da.from_zarr(sys.argv[2]).astype(np.float64).mean().compute()))
