# align: operands cut differently are rechunked to the element-wise op's grid (the finer one);
# the plan shows the rechunk, and the sum runs one task per block of that grid.
# structure: kernels=1 tasks=10 generated=2000
a = arange(1000, chunks=100)
b = arange(1000, chunks=250)
print((a + b).sum())
# out: 999000
