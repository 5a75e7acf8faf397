# sort / argsort / topk / unique shared among threads and MPI ranks (runs sorted apart, then
# merged): ties across runs keep their order, nan last, lanes of a 3-D array along a middle
# axis. Expected values from NumPy (np.sort, np.argsort(kind="stable"), np.unique).
# out: [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0, 6.0, 6.0, 7.0, 7.0, 7.0, 7.0, 8.0, 8.0, 9.0, 9.0, 9.0, 10.0, 10.0, 10.0, 10.0, nan, nan, nan] [0, 11, 22, 8, 19, 30, 5, 16, 27, 2, 13, 24, 35, 10, 21, 32, 7, 18, 29, 15, 26, 1, 12, 23, 34, 9, 31, 6, 17, 28, 3, 14, 25, 36, 4, 20, 33]
# out: [[[0, 0, 0, 0], [0, 1, 1, 0], [1, 2, 2, 1], [2, 3, 2, 1], [3, 4, 3, 2], [4, 4, 3, 3], [5, 5, 4, 4], [6, 5, 5, 5], [6, 6, 6, 6]], [[0, 0, 0, 0], [1, 1, 0, 1], [2, 2, 1, 2], [3, 2, 1, 3], [4, 3, 2, 4], [4, 3, 3, 5], [5, 4, 4, 5], [5, 5, 5, 6], [6, 6, 6, 6]]] [[[0, 5, 3, 1], [7, 4, 2, 8], [6, 3, 1, 0], [5, 2, 8, 7], [4, 1, 0, 6], [3, 8, 7, 5], [2, 0, 6, 4], [1, 7, 5, 3], [8, 6, 4, 2]], [[5, 3, 1, 6], [4, 2, 8, 5], [3, 1, 0, 4], [2, 8, 7, 3], [1, 0, 6, 2], [8, 7, 5, 1], [0, 6, 4, 8], [7, 5, 3, 0], [6, 4, 2, 7]]]
# out: [7.0, 7.0, 7.0, 7.0, 6.0] [5, 13, 21, 29, 2] [0.0, 0.0, 0.0, 0.0, 1.0] [0, 8, 16, 24, 3]
# out: [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, nan]
x = where(isin(arange(37), array([4, 20, 33])), nan, astype((arange(37) * 7) % 11, f64))
print(sort(x), argsort(x))
m = reshape((arange(72) * 5) % 7, [2, 9, 4])
print(sort(m, axis=1), argsort(m, axis=1))
v = where(isin(arange(30), array([7, 15])), nan, astype((arange(30) * 3) % 8, f64))
print(topk(v, 5), argtopk(v, 5), topk(v, -5), argtopk(v, -5))
print(unique(v))
