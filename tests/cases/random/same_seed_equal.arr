# An explicit seed= always means the same stream: equal calls are equal; other seeds differ.
# out: true false
# out: true
a = random.normal(0, 1, shape=100, seed=5)
b = random.normal(0, 1, shape=100, seed=5)
c = random.normal(0, 1, shape=100, seed=6)
print(all(a == b), any(a == c))
print(all(random.integers(0, 10, shape=50, seed=1) == random.integers(0, 10, shape=50, seed=1)))
