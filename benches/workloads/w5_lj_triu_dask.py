"""W5, triu + boolean mask variant, in Dask (the mask gives chunks of unknown length)."""
import dask.array as da

from _common import arg, dask_threads, emit
from _lj import distances, lj, make_cluster

workers = dask_threads()
n = arg(1, 7000)
cluster = da.from_array(make_cluster(n), chunks=n // workers)
d2 = distances(cluster)
dtri = da.triu(d2)
energy = lj(dtri[dtri > 1e-6]).sum().compute()
emit("n", n)
emit("energy", float(energy))
