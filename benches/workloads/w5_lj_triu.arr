# W5, the tutorial's NumPy variant: lj over the upper triangle of the distance matrix after
# removing distances near zero (a boolean mask). Same particles as w5_lj_nansum.arr.
#   arr w5_lj_triu.arr N

n = if len(args) > 0 { int(args[0]) } else { 7000 }

fn lj(r2) {
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}

fn distances(c: f64[n, 3]) -> f64[n, n] {
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    (diff * diff).sum(axis=-1)
}

fn coord(a, b) {
    i = arange(n, chunks=500)
    ((i * i * a + i * b) % 1000003) / 1000003.0 * 1000.0 - 500.0
}
cluster = stack([coord(7919, 1299709), coord(104729, 3571), coord(15485863, 611953)], axis=1)
d2 = distances(cluster)
dtri = triu(d2)
print("n", n)
print("energy", sum(lj(dtri[dtri > 1e-6])))
