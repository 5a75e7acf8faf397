# W3 — the "2 TB" workload of the Dask + CuPy post, at N x N (N = 500000 is the 2 TB original):
#   x = normal(10, 1, (N, N), chunks=(10000, 10000));  (x + 1)[::2, ::2].sum()
# Only statistics are compared: the mean of the kept elements is 11 +- 1/sqrt(count).
#   arr w3_2tb.arr N

n = if len(args) > 0 { int(args[0]) } else { 40000 }
x = random.normal(10, 1, shape=[n, n], chunks=[10000, 10000], seed=7)
kept = ((n + 1) // 2) * ((n + 1) // 2)
s = float((x + 1)[::2, ::2].sum())
print("count", kept)
print("sum", s)
print("mean", s / kept)
