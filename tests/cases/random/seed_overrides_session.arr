# seed= does not depend on the session seed or on earlier calls.
# out: true
a = random.uniform(0, 1, shape=10, seed=11)
random.seed(123)
x = random.uniform(0, 1, shape=10)
y = random.normal(0, 1, shape=10)
b = random.uniform(0, 1, shape=10, seed=11)
print(all(a == b))
