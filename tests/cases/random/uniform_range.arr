# random.uniform(low, high) lies in [low, high); its mean is close to the middle.
# out: true true
# out: true
x = random.uniform(2, 5, shape=200000, seed=77)
print(min(x) >= 2.0, max(x) < 5.0)
print(abs(mean(x) - 3.5) < 0.01)
