# blocked_stats.arr — the blocked-algorithm exercise from the Dask tutorial.
#
# Sum, mean and standard deviation of 10^9 normally distributed numbers, generated lazily
# in chunks of 10^6. No chunk is ever held longer than it takes to reduce it, so memory
# stays at a few chunks however large the array. Pass a smaller size as the first argument
# to try it quickly:  arr examples/blocked_stats.arr 10000000

n = if len(args) > 0 { int(args[0]) } else { 1_000_000_000 }
x = random.normal(0, 1, shape=n, chunks=1_000_000, seed=2024)
print("n =", n)
print("sum  =", sum(x))
print("mean =", mean(x))
print("std  =", std(x))
