# random_mean.arr — the Dask tutorial's random-normal workload.
#
# 400 million normals (3.2 GB if held at once) are generated lazily in 1000x1000 blocks;
# the column means are reduced block by block, and the slice [::100] is pushed into the
# generator, so only the 200 kept columns are ever generated. Peak memory stays far below
# one block row. Shapes and dtypes are known before anything runs.

x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)
y = x.mean(axis=0)[::100]
print(y.shape, y.dtype)
print(y[:5])
print(float(y.min()), float(y.max()))
