# sort / argsort (LANGUAGE.md §11, data-dependent): nan sorts last, as NumPy; default axis=-1.
# out: [1.0, 1.0, 2.0, 3.0, 5.0, nan] [1, 5, 3, 0, 4, 2]
# out: [[1, 2, 3], [0, 4, 5]] [[0, 1, 2], [3, 5, 4]] [[1, 2, 0], [0, 2, 1]]
x = array([3.0, 1.0, nan, 2.0, 5.0, 1.0])
print(sort(x), argsort(x))
m = array([[3, 1, 2], [0, 5, 4]])
print(sort(m), sort(m, axis=0), argsort(m, axis=1))
