# The same seed gives the same uniforms for any chunking.
# out: true true
a = random.uniform(-1, 1, shape=1000, seed=7)
b = random.uniform(-1, 1, shape=1000, chunks=33, seed=7)
c = random.uniform(-1, 1, shape=1000, chunks=1, seed=7)
print(all(a == b), all(a == c))
