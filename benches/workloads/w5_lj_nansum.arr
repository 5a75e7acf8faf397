# W5 — Lennard-Jones energy of a cluster of N particles (the tutorial uses 7000), the
# nansum variant: lj over the whole N x N matrix of squared distances, the diagonal's nan
# skipped, halved. The particles come from an integer formula that NumPy and Dask evaluate
# bit for bit the same way, so the energies must agree to 1e-9.
#   arr w5_lj_nansum.arr N

n = if len(args) > 0 { int(args[0]) } else { 7000 }

fn lj(r2) {
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}

fn distances(c: f64[n, 3]) -> f64[n, n] {
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    (diff * diff).sum(axis=-1)
}

# Coordinates in [-500, 500): a quadratic integer hash of the particle index, per axis.
fn coord(a, b) {
    i = arange(n, chunks=500)
    ((i * i * a + i * b) % 1000003) / 1000003.0 * 1000.0 - 500.0
}
cluster = stack([coord(7919, 1299709), coord(104729, 3571), coord(15485863, 611953)], axis=1)
print("n", n)
print("energy", nansum(lj(distances(cluster))) / 2)
