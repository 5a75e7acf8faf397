# The Lennard-Jones example of LANGUAGE.md §1 on a small deterministic cluster; matches NumPy.
# out: (100, 100) f64
# out: 4.939364327509783e+23
fn lj(r2) {
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}
fn distances(c: f64[n, 3]) -> f64[n, n] {
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    (diff * diff).sum(axis=-1)
}
cluster = arange(300.0).reshape(100, 3) * 0.37 % 5.0
d2 = distances(cluster)
print(d2.shape, d2.dtype)
print(nansum(lj(d2)) / 2)
