"""W4 in NumPy: the 31 daily fields in memory, stacked."""
import numpy as np

from _common import arg, emit, numpy_fits

H = arg(1, 1440)
W = arg(2, 2880)
numpy_fits(2 * 31 * 8 * H * W, f"31 fields of {H} x {W} float64, and their stack")
lat = np.linspace(-90.0, 90.0, H)
lon = np.linspace(0.0, 360.0, W)


def day(d):
    smooth = (288.0 - 30.0 * np.cos(lat * (np.pi / 90.0))[:, None]
              + 5.0 * np.sin(lon * (np.pi / 180.0) + d * 0.2)[None, :])
    return smooth + np.random.RandomState(1000 + d).normal(0, 1, size=(H, W))


days = np.stack([day(d) for d in range(31)])
avg = days.mean(axis=0)
anomaly = days[0] - avg
small = days[:, ::2, ::2]
emit("shape", "(%d, %d, %d)" % days.shape)
emit("avg_mean", float(avg.mean()))
emit("anomaly_mean", float(anomaly.mean()))
emit("anomaly_std", float(anomaly.std()))
emit("small_mean", float(small.mean()))
