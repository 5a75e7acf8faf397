# The same seed gives the same normals for any chunking.
# out: true true true
a = random.normal(10, 0.5, shape=[30, 20], seed=42)
b = random.normal(10, 0.5, shape=[30, 20], chunks=[7, 3], seed=42)
c = random.normal(10, 0.5, shape=[30, 20], chunks=[[1, 29], -1], seed=42)
print(all(a == b), all(b == c), all(rechunk(a, 4) == c))
