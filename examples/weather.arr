# weather.arr — the Dask tutorial's meteorological exercise over a month of daily HDF5
# files (make them first with examples/make_weather.arr):
#   1. open every day's "/t2m" lazily and stack them along time,
#   2. the mean over time, drawn to mean.png,
#   3. the first day's difference from the mean, drawn to anomaly.png,
#   4. every second latitude and longitude of every day, stored with to_hdf5 (in FOLDER,
#      as t2m_half.h5: stores never create folders, and the name keeps it out of the glob).
# Only headers are read until a picture or the store needs data; no day is ever in memory.
#
#   arr examples/weather.arr [FOLDER]     # FOLDER defaults to data/weather

folder = if len(args) > 0 { args[0] } else { "data/weather" }
files = glob(folder + "/*.hdf5")
assert(len(files) > 0, "no HDF5 files in " + folder + "; run examples/make_weather.arr first")

days = stack([from_hdf5(f, "/t2m", chunks=[500, 500]) for f in files])
print("days:", days.shape, days.dtype, "in", len(files), "files")

# The mean is used three times below: persist computes it once and keeps it (8 MB here).
avg = persist(days.mean(axis=0))
imshow(avg, path=folder + "/mean.png", cmap="RdBu_r")
imshow(days[0] - avg, path=folder + "/anomaly.png", cmap="RdBu_r", vmin=-8, vmax=8)

to_hdf5(days[:, ::2, ::2], folder + "/t2m_half.h5", "/t2m")
small = from_hdf5(folder + "/t2m_half.h5", "/t2m")
print("stored every second point:", small.shape)
print("mean temperature of the month:", round(avg.mean(), decimals=2), "C")
