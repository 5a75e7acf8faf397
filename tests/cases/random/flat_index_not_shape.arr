# The value at a flat index depends on the seed and that index, not on the shape.
# out: true true
a = random.normal(0, 1, shape=[4, 5], seed=8)
b = random.normal(0, 1, shape=20, seed=8)
c = random.normal(0, 1, shape=30, seed=8)
print(all(ravel(a) == b), all(b == c[:20]))
