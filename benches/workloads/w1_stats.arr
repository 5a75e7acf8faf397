# W1 — blocked sum / mean / std of a 1-D float64 array (seed: the Dask tutorial's
# "sum of a billion numbers", chunks of 10^6).
#
# Until Arr reads HDF5 the data are generated from arange, by a formula that NumPy and Dask
# evaluate bit for bit the same way, so the three results must agree to 1e-9.
#   arr w1_stats.arr N

n = if len(args) > 0 { int(args[0]) } else { 200_000_000 }
x = (arange(n, chunks=1_000_000) % 1000) * 0.001 + 10.0
print("n", n)
# One print: the three reductions of x run as one pass over its blocks.
print("sum", sum(x), "\nmean", mean(x), "\nstd", std(x))
