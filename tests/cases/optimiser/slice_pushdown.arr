# slice_pushdown: `(x + 1)[::2, ::2]` becomes `x[::2, ::2] + 1`, so the random source generates
# a quarter of its elements (the "2 TB" workload in small).
# structure: kernels=1 tasks=16 generated=1000000
x = random.normal(shape=[2000, 2000], chunks=[500, 500], seed=3)
print((x + 1)[::2, ::2].sum())
# out: 1001146.2383000526
