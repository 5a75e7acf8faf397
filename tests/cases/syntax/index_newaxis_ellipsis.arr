# newaxis inserts a length-1 axis; ... stands for the remaining axes.
# out: (3, 1) (1, 3)
# out: [[0], [1], [2]]
# out: (2, 3)
# out: [[0, 4, 8], [12, 16, 20]]
# out: (2, 1, 3, 4)
x = arange(3)
print(x[:, newaxis].shape, x[newaxis, :].shape)
print(x[:, newaxis])
y = arange(24).reshape(2, 3, 4)
print(y[..., 0].shape)
print(y[..., 0])
print(y[:, newaxis, ...].shape)
