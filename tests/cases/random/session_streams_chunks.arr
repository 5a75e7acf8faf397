# Unseeded calls take successive streams of the session seed; the chunking doesn't matter.
# out: true true
random.seed(31)
a1 = random.normal(0, 1, shape=[20, 20])
a2 = random.uniform(0, 1, shape=[20, 20])
random.seed(31)
b1 = random.normal(0, 1, shape=[20, 20], chunks=3)
b2 = random.uniform(0, 1, shape=[20, 20], chunks=[7, 11])
print(all(a1 == b1), all(a2 == b2))
