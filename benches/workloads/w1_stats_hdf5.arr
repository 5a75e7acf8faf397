# W1 as in the seed: the 1-D float64 array is read from an HDF5 file (dataset /x, written
# once by the runner with the same values as w1_stats.arr), in chunks of 10^6.
#   arr w1_stats_hdf5.arr FILE.hdf5

x = from_hdf5(args[0], "/x", chunks=1_000_000)
print("n", x.shape[0])
# One print: the three reductions of x run as one pass over its blocks.
print("sum", sum(x), "\nmean", mean(x), "\nstd", std(x))
