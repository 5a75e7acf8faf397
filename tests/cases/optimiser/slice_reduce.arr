# slice_pushdown through a reduction's kept axes: `x.mean(axis=0)[::100]` reads only the
# columns it keeps: 2000 rows x 20 columns generated.
# structure: kernels=1 tasks=4 generated=4000
x = random.normal(10, 0.1, shape=[2000, 2000], chunks=[500, 500], seed=4)
print(x.mean(axis=0)[::100].shape, x.mean(axis=0)[::100][:2])
# out: (20,) [10.004339663574813, 9.997637261598381]
