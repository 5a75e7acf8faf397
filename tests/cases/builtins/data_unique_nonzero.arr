# unique gives sorted distinct values; nonzero returns a tuple of index arrays.
# out: [1, 2, 3]
# out: [0, 1] [1, 0]
print(unique(array([3, 1, 3, 2, 1])))
r, c = nonzero(array([[0, 1], [2, 0]]))
print(r, c)
