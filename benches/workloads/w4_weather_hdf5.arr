# W4 as in the seed: 31 daily fields read from DIR/*.hdf5 (dataset /t2m, written once by the
# runner), stacked; the mean over time, the anomaly of day 0, and the [:, ::2, ::2] subsample
# stored to OUT (dataset /t2m) and read back.
#   arr w4_weather_hdf5.arr DIR OUT

days = stack([from_hdf5(f, "/t2m", chunks=[500, 500]) for f in glob(args[0] + "/*.hdf5")])
avg = persist(days.mean(axis=0))
anomaly = persist(days[0] - avg)
print("shape", days.shape)
print("avg_mean", float(avg.mean()))
print("anomaly_mean", float(anomaly.mean()))
print("anomaly_std", float(anomaly.std()))
to_hdf5(days[:, ::2, ::2], args[1], "/t2m")
small = from_hdf5(args[1], "/t2m")
print("small_shape", small.shape)
print("small_mean", float(small.mean()))
