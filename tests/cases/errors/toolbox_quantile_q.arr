# Quantiles lie in [0, 1].
# error: Quantiles must be in the range [0, 1], got -0.5
# at: 4:30
print(quantile(arange(10.0), -0.5))
