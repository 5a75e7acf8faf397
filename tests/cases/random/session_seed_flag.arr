# `--seed N` on the command line sets the session seed like random.seed(N) (the harness passes 7).
# out: true true
a = random.uniform(0, 1, shape=20)
b = random.integers(0, 100, shape=20)
random.seed(7)
c = random.uniform(0, 1, shape=20)
d = random.integers(0, 100, shape=20)
print(all(a == c), all(b == d))
