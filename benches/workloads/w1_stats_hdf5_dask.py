"""W1 in Dask as in the tutorial: da.from_array over the h5py dataset, chunks of 10^6."""
import sys

import dask
import dask.array as da
import h5py

from _common import dask_threads, emit

dask_threads()
with h5py.File(sys.argv[1], "r") as f:
    x = da.from_array(f["/x"], chunks=(1_000_000,))
    s, m, sd = dask.compute(x.sum(), x.mean(), x.std())
emit("n", x.shape[0])
emit("sum", float(s))
emit("mean", float(m))
emit("std", float(sd))
