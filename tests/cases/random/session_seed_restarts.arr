# random.seed(n) sets the session seed and restarts the stream counter.
# out: true false
# out: true
random.seed(5)
a = random.normal(0, 1, shape=50)
b = random.normal(0, 1, shape=50)
random.seed(5)
c = random.normal(0, 1, shape=50)
d = random.normal(0, 1, shape=50)
print(all(a == c), all(a == b))
print(all(b == d))
