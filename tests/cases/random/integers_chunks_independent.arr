# The same seed gives the same integers for any chunking.
# out: true true
a = random.integers(0, 1000, shape=[50, 40], seed=99)
b = random.integers(0, 1000, shape=[50, 40], chunks=[13, 17], seed=99)
c = random.integers(0, 1000, shape=[50, 40], chunks=[-1, 1], seed=99)
print(all(a == b), all(a == c))
