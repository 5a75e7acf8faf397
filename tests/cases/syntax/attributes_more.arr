# Attributes are values: shape and chunks are tuples that can be indexed; lazy results have them too.
# out: 3 2 (4,) (3, 4) [0, 1, 2]
# out: (3,) 48 3 12
# out: 2 0 1 3
x = ones([3, 4])
print(x.shape[0], len(x.shape), x.chunks[1], x.T.T.shape, arange(3).T)
print(ones([2, 3]).sum(axis=0).shape, (ones([2, 3]) + 1).nbytes, ones(3, dtype=bool).nbytes, ones(3, dtype=i32).nbytes)
print(x.ndim, sum(x).ndim, x[0].ndim, x[newaxis].ndim)
