# Slicing, reductions, broadcasting, matmul and shape ops on an irregular grid give NumPy's values.
# out: [[57, 54], [37, 34], [17, 14]]
# out: [100, 116, 132] [545, 445, 345]
# out: 1770 [150, 156, 162, 168]
# out: [0.0, 1.0, 2.0, 0.0, 1.0] [[0, 0], [1, 2], [2, 4]]
# out: [[0, 7, 14], [20, 27, 34], [40, 47, 54]] [0, 6, 12, 18, 24, 30, 36, 42, 48, 54] [[30, 40, 50], [34, 44, 54], [38, 48, 58]]
# out: [29, 28, 27] [[0, 1, 2, 3], [10, 11, 12, 13], [0, 21, 22, 23], [0, 0, 32, 33]] [3, 14, 25, 36, 47, 58]
# out: [45, 245, 445] [[2, 6, 24, 24, 48], [3, 12, 12, 24, 72]]
x = rechunk(arange(60, chunks=7).reshape(6, 10), [[1, 4, 1], [3, 3, 4]])
print(x[::-2, 7:1:-3])
print(x[1:5, ::4].sum(axis=0), x[::-1].sum(axis=1)[:3])
print((x[:, :1] + x[:1, :]).sum(), (x.T @ ones(6, dtype=i64, chunks=4))[:4])
print(concatenate([arange(3, chunks=2), arange(2.0, chunks=1)]), stack([arange(3, chunks=1), arange(3, chunks=2) * 2], axis=1))
print(x.reshape(3, 20)[:, ::7], x.reshape(10, 6).T[0], swapaxes(x.reshape(2, 3, 10), 1, 2)[1, ::4])
print(flip(x, axis=1)[2, :3], triu(x[:4, :4], k=-1), diagonal(x, offset=3))
print(cumsum(x, axis=1)[::2, -1], cumprod(arange(1, 11, chunks=3).reshape(2, 5) % 4 + 1, axis=1))
