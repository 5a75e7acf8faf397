"""W5 in NumPy exactly as the tutorial's `potential`: triu, then a boolean mask."""
import numpy as np

from _common import arg, emit, numpy_fits
from _lj import distances, lj, make_cluster

n = arg(1, 7000)
numpy_fits(8 * n * n * 6, f"the {n} x {n} x 3 differences and the {n} x {n} distances")
d2 = distances(make_cluster(n))
dtri = np.triu(d2)
energy = lj(dtri[dtri > 1e-6]).sum()
emit("n", n)
emit("energy", float(energy))
