# histogram needs a positive number of bins.
# error: bins must be a positive integer, got 0
# at: 4:37
c, e = histogram(arange(10.0), bins=0)
