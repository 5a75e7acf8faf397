# W7 — matrix product of two n x n f64 arrays in 1000² blocks (n = 4000): one task per
# output block, each summing its k-blocks in order with one GEMM per block pair. The inputs
# are an integer formula that NumPy and Dask evaluate the same way.
#   arr w7_matmul.arr N

n = if len(args) > 0 { int(args[0]) } else { 4000 }
i = arange(n, chunks=1000)
a = ((i[:, newaxis] * 7 + i[newaxis, :] * 3) % 101) / 101.0
b = ((i[:, newaxis] * 5 + i[newaxis, :] * 11) % 103) / 103.0
c = a @ b
print("n", n)
print("sum", sum(c), "\ncorner", sum(c[::997, ::991]))
