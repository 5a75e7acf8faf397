# random.integers with a negative low; all of [low, high) appears, high never does.
# out: -3 2
# out: 6
x = random.integers(-3, 3, shape=[100, 100], chunks=[30, 70], seed=12)
print(min(x), max(x))
print(len([v for v in range(-3, 3) if any(x == v)]))
