# random.integers(low, high) excludes high and reaches every value of [low, high).
# out: 3 7 i64
# out: 5
# out: true
x = random.integers(3, 8, shape=10000, chunks=999, seed=2024)
print(min(x), max(x), x.dtype)
print(len([v for v in range(3, 8) if any(x == v)]))
print(all(random.integers(0, 1, shape=100, seed=4) == 0))
