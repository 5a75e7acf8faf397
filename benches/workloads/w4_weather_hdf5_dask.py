"""W4 in Dask as in the tutorial: from_array over 31 h5py datasets, stack, mean, anomaly,
then da.to_hdf5 of the [:, ::2, ::2] subsample."""
import sys
from glob import glob

import dask
import dask.array as da
import h5py

from _common import dask_threads, emit

dask_threads()
files = [h5py.File(p, "r") for p in sorted(glob(sys.argv[1] + "/*.hdf5"))]
days = da.stack([da.from_array(f["/t2m"], chunks=(500, 500)) for f in files])
avg = days.mean(axis=0)
anomaly = days[0] - avg
am, nm, ns = dask.compute(avg.mean(), anomaly.mean(), anomaly.std())
emit("shape", "(%d, %d, %d)" % days.shape)
emit("avg_mean", float(am))
emit("anomaly_mean", float(nm))
emit("anomaly_std", float(ns))
da.to_hdf5(sys.argv[2], "/t2m", days[:, ::2, ::2])
with h5py.File(sys.argv[2], "r") as f:
    small = f["/t2m"][:]
emit("small_shape", "(%d, %d, %d)" % small.shape)
emit("small_mean", float(small.mean()))
