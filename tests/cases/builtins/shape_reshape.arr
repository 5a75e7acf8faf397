# reshape with separate ints, a tuple or a list; -1 infers one axis.
# out: [[0, 1, 2], [3, 4, 5]] [[0, 1], [2, 3], [4, 5]] (3, 2) [0, 1, 2, 3, 4, 5]
# out: (2, 3)
x = arange(6)
print(x.reshape(2, 3), x.reshape((3, 2)), x.reshape(-1, 2).shape, x.reshape(2, 3).reshape(6))
print(reshape(x, [2, 3]).shape)
