"""W6 in NumPy: the whole array in memory, normalised, written back with zarr-python."""
import sys

import numpy as np
import zarr

from _common import emit, numpy_fits

src = zarr.open_array(sys.argv[1], mode="r")
numpy_fits(3 * src.nbytes, "the array, its norms and the result")
x = src[...]
y = x / np.linalg.norm(x, axis=1, keepdims=True)
out = zarr.create_array(store=sys.argv[2], shape=y.shape, chunks=src.chunks, dtype=y.dtype,
                        compressors=None, overwrite=True)
out[...] = y
z = zarr.open_array(sys.argv[2], mode="r")
emit("shape", tuple(z.shape))
emit("check", float(z[:2000].astype(np.float64).sum()))
