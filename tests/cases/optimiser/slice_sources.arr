# slice_pushdown into arange and full: the slices become smaller sources.
# structure: kernels=2 tasks=13 generated=1000
a = arange(10**6, chunks=10**5)
print(a[10::1000].sum(), (a * 2)[999999], full([100, 100], 2.5)[::3, 5].sum())
# out: 499510000 1999998 85.0
