"""W9 in NumPy: the whole cube in memory; per-step mean, 3 x 3 moving average on the
symmetric-padded cube, written to Zarr."""
import sys

import numpy as np
import zarr

from _common import emit

src = zarr.open_array(sys.argv[1], mode="r")
cube = src[:]
m = cube.mean(axis=(1, 2))
emit("shape", "(%d, %d, %d)" % cube.shape)
emit("step_mean_sum", float(m.astype(np.float64).sum()))
emit("step_mean_0", float(m[0]))
p = np.pad(cube, ((0, 0), (1, 1), (1, 1)), mode="symmetric")
s = p[:, :-2, :] + p[:, 1:-1, :] + p[:, 2:, :]
avg = (s[:, :, :-2] + s[:, :, 1:-1] + s[:, :, 2:]) / np.float32(9.0)
out = zarr.create_array(sys.argv[2], shape=avg.shape, chunks=src.chunks, dtype=avg.dtype,
                        compressors=None, overwrite=True)
out[:] = avg
emit("avg_mean", float(np.asarray(zarr.open_array(sys.argv[2], mode="r")[:], dtype=np.float64).mean()))
