# transpose (all axes reversed or given), swapaxes, moveaxis.
# out: (4, 3, 2) (3, 2, 4) (4, 3, 2) (3, 4, 2) (4, 2, 3)
# out: [[0, 12], [4, 16], [8, 20]] [[0, 12], [4, 16], [8, 20]] [[4, 16], [5, 17], [6, 18], [7, 19]]
y = arange(24).reshape(2, 3, 4)
print(transpose(y).shape, transpose(y, (1, 0, 2)).shape, swapaxes(y, 0, 2).shape, moveaxis(y, 0, -1).shape, moveaxis(y, 2, 0).shape)
print(transpose(y, (1, 0, 2))[:, :, 0], swapaxes(y, 0, 2)[0], moveaxis(y, 0, -1)[1])
