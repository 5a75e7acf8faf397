# Explicit block lengths per axis, as in Dask.
# out: ((3, 3, 4), (5, 2))
# out: 70.0
x = ones([10, 7], chunks=[[3, 3, 4], [5, 2]])
print(x.chunks)
print(sum(x))
