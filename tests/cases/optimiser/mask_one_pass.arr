# A boolean mask over a computed matrix (W5-mask in small: Lennard-Jones over the upper
# triangle of the distance matrix, distances near zero removed): one pass computes each mask
# block's count and its kept values together, so the distance matrix is computed once — the
# mask pass generates what one pass over it does, and the energy generates nothing more.
# Expected values from NumPy.
# structure: generated=93603
n = 300
fn coord(a, b) {
    i = arange(n, chunks=70)
    ((i * i * a + i * b) % 1000003) / 1000003.0 * 1000.0 - 500.0
}
c = stack([coord(7919, 1299709), coord(104729, 3571), coord(15485863, 611953)], axis=1)
diff = c[:, newaxis, :] - c[newaxis, :, :]
d2 = (diff * diff).sum(axis=-1)
dtri = triu(d2)
kept = dtri[dtri > 1e-6]
sr6 = (1 / kept) ** 3
print(len(kept))
print(kept[:3])
print(kept[-2:])
print(round(float(sum(4 * (sr6 * sr6 - sr6))), 15))
print(round(float(kept.max()), 6))
# out: 44850
# out: [115919.91692845515, 607739.311227663, 1893723.257249413]
# out: [814026.4946617057, 404483.04373409715]
# out: -5.7216545e-07
# out: 2693619.506701
