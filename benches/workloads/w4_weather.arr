# W4 — the tutorial's weather exercise: stack 31 daily 2-D temperature fields, the mean over
# time, the anomaly of day 0, and the [:, ::2, ::2] subsample.
#
# Until Arr reads and writes HDF5, each day is generated lazily (a smooth deterministic field
# plus random.normal noise of that day) and the subsample is reduced instead of stored. The
# noise differs between Arr and NumPy/Dask, so results are compared as statistics.
#   arr w4_weather.arr H W        (the tutorial's files are 5760 x 11520)

H = if len(args) > 0 { int(args[0]) } else { 1440 }
W = if len(args) > 1 { int(args[1]) } else { 2880 }
lat = linspace(-90.0, 90.0, H, chunks=500)
lon = linspace(0.0, 360.0, W, chunks=500)

fn day(d) {
    smooth = 288.0 - 30.0 * cos(lat * (pi / 90.0))[:, newaxis] + 5.0 * sin(lon * (pi / 180.0) + d * 0.2)[newaxis, :]
    smooth + random.normal(0, 1, shape=[H, W], chunks=[500, 500], seed=1000 + d)
}

days = stack([day(d) for d in range(31)])
avg = persist(days.mean(axis=0))
anomaly = persist(days[0] - avg)
small = days[:, ::2, ::2]
print("shape", days.shape)
print("avg_mean", float(avg.mean()))
print("anomaly_mean", float(anomaly.mean()))
print("anomaly_std", float(anomaly.std()))
print("small_mean", float(small.mean()))
