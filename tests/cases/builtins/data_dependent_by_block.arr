# unique, nonzero, argwhere and topk work block by block (each block reduced, then the results
# merged): several-block inputs give NumPy's values, ties keep the first position across
# blocks, nan sorts last, of 0.0 and -0.0 unique keeps -0.0, and blocks cut along a later
# axis still give row-major order.
# Expected values from NumPy (np.unique, np.nonzero, a stable argsort for topk).
# out: [5, 5, 5] [0, 2, 4]
# out: [0, 1] [7, 1]
# out: [1.0, 2.0, 3.0, nan]
# out: [3.0, 3.0, 2.0] [2, 5, 4]
# out: [0, 0, 1, 2, 3] [0, 5, 4, 3, 2]
# out: [0, 1, 2, 3, 4]
# out: [[18, 19, 20, 21, 22, 23], [12, 13, 14, 15, 16, 17]] [[3, 3, 3, 3, 3, 3], [2, 2, 2, 2, 2, 2]]
# out: [[0, 1], [6, 7], [12, 13], [18, 19]] [[0, 1], [0, 1], [0, 1], [0, 1]]
# out: [4, 4, 4] [1, 3, 7]
# out: [[0, 0], [0, 5], [1, 4], [2, 3], [3, 2]]
# out: [-0.0, 1.0, 2.0]
v = rechunk(array([5, 1, 5, 3, 5, 2, 5, 0]), 3)
print(topk(v, 3), argtopk(v, 3))
print(topk(v, -2), argtopk(v, -2))
f = rechunk(array([1.0, nan, 3.0, nan, 2.0, 3.0]), 2)
print(unique(f))
print(topk(f, 3), argtopk(f, 3))
a = rechunk(reshape(arange(24), (4, 6)), (2, 3))
r, c = nonzero(a % 5 == 0)
print(r, c)
print(unique(a % 5))
print(topk(a, 2, axis=0), argtopk(a, 2, axis=0))
print(topk(a, -2, axis=1), argtopk(a, -2, axis=1))
w = rechunk(array([1, 4, 0, 3, 4, 2, 0, 1, 3, 4]), 4)
print(topk(w[w > 0], 3), argtopk(w[w > 0], 3))
print(argwhere(a % 5 == 0))
print(unique(rechunk(array([1.0, 0.0, 2.0, -0.0, 0.0]), 2)))
