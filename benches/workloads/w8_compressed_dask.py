"""W8 in Dask: da.from_array over the h5py dataset / da.from_zarr, the file's chunks."""
import sys

import dask
import dask.array as da

from _common import dask_threads, emit

dask_threads()
kind, path = sys.argv[1], sys.argv[2]
if kind == "hdf5":
    import h5py

    f = h5py.File(path, "r")
    d = f["/x"]
    x = da.from_array(d, chunks=d.chunks)
else:
    x = da.from_zarr(path)
s, m0, sd = dask.compute(x.sum(), x.mean(axis=0).sum(), x.std())
emit("shape", "(" + ", ".join(str(d) for d in x.shape) + ")")
emit("sum", float(s))
emit("mean0", float(m0))
emit("std", float(sd))
