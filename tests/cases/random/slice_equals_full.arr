# Slices of a random array equal the same elements of the full array.
# out: true true true
# out: true
x = random.normal(0, 1, shape=[40, 30], chunks=[9, 7], seed=3)
full = compute(x)
print(all(x[::2, 1::3] == full[::2, 1::3]), all(x[5:17, -4:] == full[5:17, -4:]), all(x[::-3] == full[::-3]))
print(x[13, 29] == full[13, 29])
