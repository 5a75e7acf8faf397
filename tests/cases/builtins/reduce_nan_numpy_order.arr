# The nan-skipping sums, means and variances of one block sum with 0 in place of each nan,
# in NumPy's pairwise order, so they print NumPy's bits (np.nansum, np.nanmean, np.nanvar,
# np.nanstd(ddof=1) of the same values; skipping the nans instead moves the tree's cuts).
# out: -1033625.7921226237 -295.2373013774989 162454.07115183576 403.1134909684074
i = arange(5000)
x = ((i * i * 7919 + i * 13) % 1000003) / 1000003.0 * 2000.0 - 1000.0
y = where(x > 400, nan, x)
print(nansum(y), nanmean(y), nanvar(y), nanstd(y, ddof=1))
