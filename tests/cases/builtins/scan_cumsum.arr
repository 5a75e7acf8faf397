# cumsum: without axis over the flattened array; with axis (also negative).
# out: [1, 3, 6, 10, 15, 21] [[1, 2, 3], [5, 7, 9]] [[1, 3, 6], [4, 9, 15]] [[1, 3, 6], [4, 9, 15]]
# out: [0.5, nan, nan]
x = arange(1, 7).reshape(2, 3)
print(cumsum(x), cumsum(x, axis=0), x.cumsum(axis=1), cumsum(x, axis=-1))
print(cumsum(array([0.5, nan, 2.0])))
