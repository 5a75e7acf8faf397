# arange(1e308) used to have shape (-1,).
# error: array is too big
# at: 4:14
print(arange(1e308).shape)
