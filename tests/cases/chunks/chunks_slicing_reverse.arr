# Negative-step slices keep block boundaries (reversed), as Dask; empty blocks are dropped.
# out: ((2, 4, 4),)
# out: ((2, 2, 1, 2),)
# out: ((1, 1, 1),)
# out: ((1, 2, 1),)
print(ones(10, chunks=4)[::-1].chunks)
print(ones(20, chunks=5)[::-3].chunks)
print(ones(20, chunks=5)[::7].chunks)
print(ones(20, chunks=5)[18:2:-4].chunks)
