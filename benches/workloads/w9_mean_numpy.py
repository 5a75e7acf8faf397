"""W9-mean in NumPy: the whole cube in memory, then the per-step mean over (y, x)."""
import sys

import numpy as np
import zarr

from _common import emit

cube = zarr.open_array(sys.argv[1], mode="r")[:]
m = cube.mean(axis=(1, 2))
emit("step_mean_sum", float(m.astype(np.float64).sum()))
emit("step_mean_0", float(m[0]))
