# random.normal(loc, scale): the sample mean and std are close to loc and scale.
# out: true true
x = random.normal(10, 0.1, shape=[1000, 1000], chunks=[250, 500], seed=42)
print(abs(mean(x) - 10) < 0.001, abs(std(x) - 0.1) < 0.001)
