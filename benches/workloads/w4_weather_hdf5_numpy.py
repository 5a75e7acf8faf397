"""W4 in NumPy: the 31 files read into memory, stacked, the subsample written with h5py."""
import sys
from glob import glob

import h5py
import numpy as np

from _common import emit, numpy_fits

paths = sorted(glob(sys.argv[1] + "/*.hdf5"))
with h5py.File(paths[0], "r") as f:
    h, w = f["/t2m"].shape
numpy_fits(2 * len(paths) * 8 * h * w, f"{len(paths)} fields of {h} x {w} float64, and their stack")
fields = []
for p in paths:
    with h5py.File(p, "r") as f:
        fields.append(f["/t2m"][:])
days = np.stack(fields)
del fields
avg = days.mean(axis=0)
anomaly = days[0] - avg
emit("shape", "(%d, %d, %d)" % days.shape)
emit("avg_mean", float(avg.mean()))
emit("anomaly_mean", float(anomaly.mean()))
emit("anomaly_std", float(anomaly.std()))
with h5py.File(sys.argv[2], "w") as f:
    f["/t2m"] = days[:, ::2, ::2]
with h5py.File(sys.argv[2], "r") as f:
    small = f["/t2m"][:]
emit("small_shape", "(%d, %d, %d)" % small.shape)
emit("small_mean", float(small.mean()))
