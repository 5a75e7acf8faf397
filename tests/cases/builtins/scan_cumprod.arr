# cumprod: without axis over the flattened array; with axis.
# out: [1, 2, 6, 24, 120, 720] [[1, 2, 3], [4, 10, 18]] [[1, 2, 6], [4, 20, 120]]
# out: [1.5, 3.0, -3.0]
x = arange(1, 7).reshape(2, 3)
print(cumprod(x), cumprod(x, axis=0), x.cumprod(axis=1))
print(cumprod(array([1.5, 2.0, -1.0])))
