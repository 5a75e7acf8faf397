"""W5 in NumPy, nansum variant."""
import warnings

import numpy as np

from _common import arg, emit, numpy_fits
from _lj import distances, lj, make_cluster

warnings.simplefilter("ignore")
n = arg(1, 7000)
numpy_fits(8 * n * n * 5, f"the {n} x {n} x 3 differences and the {n} x {n} distances")
energy = np.nansum(lj(distances(make_cluster(n)))) / 2.
emit("n", n)
emit("energy", float(energy))
