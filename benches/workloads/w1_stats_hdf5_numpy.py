"""W1 in NumPy: the whole dataset read into memory."""
import sys

import h5py

from _common import emit, numpy_fits

with h5py.File(sys.argv[1], "r") as f:
    d = f["/x"]
    numpy_fits(3 * 8 * d.size, f"the {d.size} float64 and two temporaries")
    x = d[:]
emit("n", x.shape[0])
emit("sum", float(x.sum()))
emit("mean", float(x.mean()))
emit("std", float(x.std()))
