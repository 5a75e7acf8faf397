# Attributes shape, ndim, size, dtype, nbytes, chunks, T.
# out: (4, 6) 2 24 f32 96
# out: ((2, 2), (3, 3))
# out: (6, 4) ((3, 3), (2, 2))
# out: (24,) 1 192 i64
x = zeros([4, 6], dtype=f32, chunks=[2, 3])
print(x.shape, x.ndim, x.size, x.dtype, x.nbytes)
print(x.chunks)
print(x.T.shape, x.T.chunks)
y = arange(24)
print(y.shape, y.ndim, y.nbytes, y.dtype)
