# Percentiles lie in [0, 100] (NumPy's message).
# error: Percentiles must be in the range [0, 100], got 101
# at: 4:32
print(percentile(arange(10.0), [50, 101]))
