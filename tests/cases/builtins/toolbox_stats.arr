# histogram (int bins, range, edges, weights, density), bincount, digitize, searchsorted, isin, exact percentile/median/quantile and nan-forms along axes and over everything, f32 dtypes: values from NumPy.
# out: ([10, 6, 9, 6, 9], [-2.0, -0.8, 0.3999999999999999, 1.5999999999999996, 2.8, 4.0])
# out: ([6, 6, 6, 9], [-1.0, 0.0, 1.0, 2.0, 3.0])
# out: ([13, 3, 24], [-2.0, 0.0, 0.5, 4.0])
# out: [17.0, 9.0, 45.0] [0.1625, 0.15, 0.1875]
# out: [1, 2, 0, 1, 0, 0, 0, 1] [1.5, 0.0, 0.5, 0.0]
# out: [0, 3, 0, 3, 0, 3] [3, 0, 3, 0, 2, 0]
# out: [0, 1, 0, 1, 0, 3] [true, true, true, true, true, true]
# out: [-2.0, -1.5, 1.0, 4.0] 1.0 -0.5
# out: [0.0, 1.5, 0.0, 2.0, 0.5, 2.0, 1.0, 0.5] [[-1.125, -0.375, -0.125, -1.125, -0.125], [2.125, 2.0, 2.625, 2.125, 3.125]]
# out: [-0.75, 0.25, 0.0, 0.0, 0.0] -0.5 nan [[[-0.25, 1.0, -0.75, 1.5, -0.25, 0.0, 0.25, -1.5]]]
# out: -0.065 [-0.0649999999999995] f32 3.0
x = rechunk((arange(40) * 7 % 13) * 0.5 - 2.0, [[7, 11, 22]])
print(histogram(x, bins=5))
print(histogram(x, bins=4, range=[-1, 3]))
print(histogram(x, bins=[-2.0, 0.0, 0.5, 4.0]))
print(histogram(x, bins=3, weights=abs(x), density=false)[0], histogram(x, bins=3, density=true)[0])
print(bincount(array([3, 1, 1, 0, 7], chunks=2)), bincount(array([2, 0]), weights=array([0.5, 1.5]), minlength=4))
print(digitize(x[:6], [-1.0, 0.0, 1.0], right=true), digitize(x[:6], [1.0, 0.0, -1.0]))
print(searchsorted(array([1.0, 2.0, 2.0, 5.0]), x[:6]), isin(x[:6], [0.0, 1.0, 9.0], invert=true))
print(percentile(x, [0, 12.5, 50, 99.9]), median(x), quantile(x, 0.3))
m = rechunk(x.reshape([5, 8]), [[2, 3], [3, 5]])
print(median(m, axis=0), percentile(m, [25, 75], axis=1))
n = where(m > 2.0, nan, m)
print(nanmedian(n, axis=1), nanpercentile(n, 40), percentile(n, 40), nanquantile(n, [0.5], axis=0, keepdims=true))
f = astype(m, f32)
print(percentile(f, 33), percentile(f, [33]), median(f, axis=1).dtype, median(arange(7, chunks=3)))
