# cse: the two `x.sum()` (and the one inside `2 * x.sum()`) are one node, computed once:
# 10^6 elements generated, not 3 * 10^6.
# structure: kernels=2 tasks=101 generated=1000000
x = random.normal(shape=[1000, 1000], chunks=[100, 100], seed=1)
s = x.sum() + x.sum()
print(s == 2 * x.sum())
# out: true
