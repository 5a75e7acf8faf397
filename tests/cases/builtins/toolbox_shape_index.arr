# pad modes (widths beyond the axis), roll, tile, repeat, take, argwhere, meshgrid, indices, diff, average, ptp: values from NumPy.
# out: [1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2]
# out: [3, 4, 4, 3, 2, 1, 0, 0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 0]
# out: [3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0]
# out: [0, 0, 0, 1, 2, 3, 4, 4, 4, 4]
# out: [9, 9, 0, 1, 2, 3, 4, 9, 9]
# out: [[3.0, 4.0, 5.0, 4.0, 3.0], [0.0, 1.0, 2.0, 1.0, 0.0], [3.0, 4.0, 5.0, 4.0, 3.0]]
# out: [[5.0, 0.0, 1.0], [2.0, 3.0, 4.0]] [[1.0, 2.0, 0.0], [4.0, 5.0, 3.0]]
# out: [[0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 1, 2]] [[1.0, 1.0, 2.0], [4.0, 4.0, 5.0]]
# out: [[2.0, 0.0, 0.0], [5.0, 3.0, 3.0]] 4.0
# out: [[1, 0], [1, 1], [1, 2]] [[0, 1], [0, 1], [0, 1]]
# out: [[[0, 0], [1, 1]], [[0, 1], [0, 1]]] [2, 2, 2] [[3.0, 3.0, 3.0]]
# out: [1.3333333333333333, 4.333333333333333] [3.0, 3.0, 3.0]
x = arange(5, chunks=[[2, 2, 1]])
print(pad(x, [7, 6], mode="reflect"))
print(pad(x, [7, 6], mode="symmetric"))
print(pad(x, [7, 6], mode="wrap"))
print(pad(x, [2, 3], mode="edge"))
print(pad(x, 2, constant_values=9))
m = rechunk(arange(6.0).reshape([2, 3]), [[1, 1], [2, 1]])
print(pad(m, [[1, 0], [0, 2]], mode="reflect"))
print(roll(m, 1), roll(m, -4, axis=1))
print(tile(arange(3, chunks=2), [2, 2]), repeat(m, [0, 2, 1], axis=1))
print(take(m, [2, -3, 0], axis=1), take(m, 4))
print(argwhere(m > 2.0), meshgrid(arange(3), arange(2), indexing="ij")[1])
print(indices([2, 2]), diff(array([1, 4, 9, 16, 25]), n=2), diff(m, axis=0))
print(average(m, axis=1, weights=array([1.0, 2.0, 3.0])), ptp(m, axis=0))
