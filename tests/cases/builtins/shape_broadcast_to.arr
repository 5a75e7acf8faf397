# broadcast_to and implicit broadcasting in arithmetic.
# out: [[0, 1, 2], [0, 1, 2]] [[1, 1], [2, 2]]
# out: [[0, 1, 2], [10, 11, 12]]
# out: (4, 2, 3)
print(broadcast_to(arange(3), (2, 3)), broadcast_to(array([[1], [2]]), [2, 2]))
print(arange(3) + array([[0], [10]]))
print((ones([4, 1, 3]) * ones([2, 1])).shape)
