# W2 at full size (one kernel: generator and mean together): the mean over axis 0 of a 20000 x 20000 normal array, every 100th column:
# only the kept columns are generated (4 * 10^6 of 4 * 10^8 elements).
# structure: kernels=1 tasks=420 generated=4000000
x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=1)
y = x.mean(axis=0)[::100]
print(y.shape, abs(float(y.mean()) - 10) < 0.001)
# out: (200,) true
