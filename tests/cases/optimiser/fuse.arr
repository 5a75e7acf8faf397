# fuse: a chain of six element-wise ops over a generator is one kernel per block.
# structure: kernels=4 tasks=22 generated=2000000
x = random.uniform(shape=[1000000], chunks=100000, seed=5)
y = sqrt(x * x + 1) - exp(-x)
print(y.max() > 0, y.min() < 1)
# out: true true
