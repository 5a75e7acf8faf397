# W2 — the Dask tutorial's random workload:
#   normal(10, 0.1, (20000, 20000), chunks=(1000, 1000)).mean(axis=0)[::100]
# Random streams differ between Arr (Philox) and NumPy/Dask, so only statistics are compared:
# 200 column means near 10 whose spread is 0.1 / sqrt(rows).
#   arr w2_random_mean.arr N

n = if len(args) > 0 { int(args[0]) } else { 20000 }
x = random.normal(10, 0.1, shape=[n, n], chunks=[1000, 1000], seed=42)
y = compute(x.mean(axis=0)[::100])
print("len", len(y))
print("mean", float(y.mean()))
print("std", float(y.std()))
print("min", float(y.min()))
print("max", float(y.max()))
