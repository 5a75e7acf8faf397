# make_weather.arr — writes a month of artificial daily weather: 31 HDF5 files
# data/weather/2014-01-DD.hdf5, each with a 2-m temperature field "/t2m" in degrees Celsius
# on a latitude x longitude grid (warm tropics, cold poles, continents, weather systems
# drifting east, a slow trend through the month and a little noise). Each file is streamed
# to disk block by block.
#
# Stores never create folders: make the folder first (mkdir -p data/weather).
#
#   arr examples/make_weather.arr              # 720 x 1440 per day (355 MiB of files: HDF5
#                                              # stores the edge chunks whole)
#   arr examples/make_weather.arr 180 360      # a small month
#   arr examples/make_weather.arr 5760 11520   # the Dask tutorial's size (about 16 GB)
#
# Then run examples/weather.arr.

rows = if len(args) > 0 { int(args[0]) } else { 720 }
cols = if len(args) > 1 { int(args[1]) } else { 2 * rows }
folder = if len(args) > 2 { args[2] } else { "data/weather" }

lat = linspace(90, -90, rows)[:, newaxis] * (pi / 180)
lon = linspace(-180, 180, cols, endpoint=false)[newaxis, :] * (pi / 180)
climate = 42 * cos(lat) - 15 + 6 * sin(3 * lon) * cos(2 * lat) + 3 * cos(lon + 1) * sin(lat)

for day in range(31) {
    # Travelling weather systems (waves drifting east day by day) and a little local noise.
    systems = 5 * sin(2 * lon - 0.45 * day) * cos(3 * lat) + 3 * cos(5 * lon + 0.3 * day + 1) * sin(2 * lat) ** 2
    noise = random.normal(0, 0.7, shape=[rows, cols], chunks=[500, 500], seed=day)
    t2m = climate + systems + 0.05 * day * sin(lat) + noise
    name = folder + "/2014-01-" + (if day < 9 { "0" + str(day + 1) } else { str(day + 1) }) + ".hdf5"
    to_hdf5(t2m, name, "/t2m", chunks=[500, 500])
}
print("wrote 31 days of", rows, "x", cols, "to", folder)
