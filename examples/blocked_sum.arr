# blocked_sum.arr — the Dask tutorial's first exercise on an HDF5 file: the sum and mean of a
# large array on disk, computed by a blocked algorithm (read a block, reduce it, combine the
# partial results). The file data/random.hdf5 ("/x", uniform numbers) is written first if it
# is missing, streamed block by block.
#
#   arr examples/blocked_sum.arr [N]      # N numbers (default 100 million; the tutorial has 10^9)

n = if len(args) > 0 { int(args[0]) } else { 100_000_000 }
path = if len(args) > 1 { args[1] } else { "data/random.hdf5" }
if len(glob(path)) == 0 {
    to_hdf5(random.uniform(shape=n, chunks=1_000_000, seed=0), path, "/x")
}

x = from_hdf5(path, "/x", chunks=1_000_000)
total = x.sum()
count = x.size
print("blocks:", len(x.chunks[0]))
print("sum:", total)
print("mean:", total / count)
print("mean():", x.mean())
