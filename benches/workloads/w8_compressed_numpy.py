"""W8 in NumPy: h5py / zarr-python read the whole array (decompressing), NumPy reduces it."""
import sys

from _common import emit

kind, path = sys.argv[1], sys.argv[2]
if kind == "hdf5":
    import h5py

    with h5py.File(path, "r") as f:
        x = f["/x"][...]
else:
    import zarr

    x = zarr.open_array(path, mode="r")[...]
emit("shape", "(" + ", ".join(str(d) for d in x.shape) + ")")
emit("sum", float(x.sum()))
emit("mean0", float(x.mean(axis=0).sum()))
emit("std", float(x.std()))
