# W3 (the "2 TB" benchmark) in small: exactly N^2/4 normals generated, one kernel.
# structure: kernels=2 tasks=17 generated=4000000
n = 4000
x = random.normal(shape=[n, n], chunks=[1000, 1000], seed=9)
print((x + 1)[::2, ::2].sum() > 0)
# out: true
