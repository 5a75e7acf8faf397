# W5 (Lennard-Jones, nansum) in small: the sum over the 3 coordinates becomes adds of slices
# (short_axis), so distances, energy and nansum are ONE kernel over n x n (plus the three
# coordinate kernels and the final halving); no n x n x 3 array is ever built.
# structure: kernels=5 tasks=17 generated=24000
n = 1000
fn coord(a, b) {
    i = arange(n, chunks=250)
    ((i * i * a + i * b) % 1000003) / 1000003.0 * 1000.0 - 500.0
}
c = stack([coord(7919, 1299709), coord(104729, 3571), coord(15485863, 611953)], axis=1)
diff = c[:, newaxis, :] - c[newaxis, :, :]
r2 = (diff * diff).sum(axis=-1)
sr6 = (1 / r2) ** 3
print(nansum(4 * (sr6 * sr6 - sr6)) / 2)
# (NumPy's one pairwise sum over all 10^6 values gives -1.8309572904174622e-05, one ulp away:
# Arr sums each 250 x 250 block in NumPy's order, with 0 for nan as np.nansum, then the
# blocks in a fixed tree.)
# out: -1.830957290417462e-05
