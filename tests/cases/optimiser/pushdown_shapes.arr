# slice_pushdown through transposes, reductions with fixed axes, new axes and slices of
# slices; every line must equal NumPy's (and the --no-opt run).
x = arange(60, chunks=7).reshape([3, 4, 5])
print(x.T[1:3, ::2, 0])
print((x + 1).transpose([2, 0, 1])[::-1, 1, :].sum(axis=0))
print(x.sum(axis=1)[::-1, 2])
print((x[:, newaxis] * 2)[1:, 0, ::2])
print((x * 1.5)[::2][::-1, 1:, ::3][0])
print((x[:, :, newaxis, :] - x[:, newaxis, :, :])[1, ::2, 1:3, 4])
print(x.mean(axis=2)[1:, ::-2])
# out: [[1, 11], [2, 12]]
# out: [115, 140, 165, 190]
# out: [198, 118, 38]
# out: [[[40, 42, 44, 46, 48], [60, 62, 64, 66, 68]], [[80, 82, 84, 86, 88], [100, 102, 104, 106, 108]]]
# out: [[67.5, 72.0], [75.0, 79.5], [82.5, 87.0]]
# out: [[-5, -10], [5, 0]]
# out: [[37.0, 27.0], [57.0, 47.0]]
