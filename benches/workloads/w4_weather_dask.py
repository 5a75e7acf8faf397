"""W4 in Dask: 31 lazily generated daily fields (500 x 500 chunks), stacked; one compute."""
import dask
import dask.array as da
import numpy as np

from _common import arg, dask_threads, emit

dask_threads()
H = arg(1, 1440)
W = arg(2, 2880)
lat = da.linspace(-90.0, 90.0, H, chunks=500)
lon = da.linspace(0.0, 360.0, W, chunks=500)


def day(d):
    smooth = (288.0 - 30.0 * da.cos(lat * (np.pi / 90.0))[:, None]
              + 5.0 * da.sin(lon * (np.pi / 180.0) + d * 0.2)[None, :])
    noise = da.random.RandomState(1000 + d).normal(0, 1, size=(H, W), chunks=(500, 500))
    return smooth + noise


days = da.stack([day(d) for d in range(31)])
avg = days.mean(axis=0)
anomaly = days[0] - avg
small = days[:, ::2, ::2]
am, nm, ns, sm = dask.compute(avg.mean(), anomaly.mean(), anomaly.std(), small.mean())
emit("shape", "(%d, %d, %d)" % days.shape)
emit("avg_mean", float(am))
emit("anomaly_mean", float(nm))
emit("anomaly_std", float(ns))
emit("small_mean", float(sm))
