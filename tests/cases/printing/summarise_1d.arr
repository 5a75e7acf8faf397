# More than 1000 elements: axes longer than 6 show the first and last three entries around `...`.
# out: [0, 1, 2, ..., 1997, 1998, 1999]
# out: [0.0, 1.0, 2.0, ..., 998.0, 999.0, 1000.0]
print(arange(2000))
print(arange(1001.0))
