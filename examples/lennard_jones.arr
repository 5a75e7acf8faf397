# lennard_jones.arr — total Lennard-Jones energy of a cluster of 7000 particles.
#
# The pairwise differences c[:, newaxis, :] - c[newaxis, :, :] are 7000 x 7000 x 3 (1.2 GB)
# and the squared distances 7000 x 7000 (392 MB), yet neither is ever held whole: each
# output block pulls only the particles it needs and reduces at once. The diagonal (a
# particle with itself) gives nan, which nansum skips; /2 counts each pair once.
# (The triu + mask variant of the seed needs boolean masks, which come later.)

fn lj(r2) {
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}

fn distances(c: f64[n, 3]) -> f64[n, n] {
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    (diff * diff).sum(axis=-1)
}

n = if len(args) > 0 { int(args[0]) } else { 7000 }
cluster = random.normal(0, 500, shape=[n, 3], chunks=[500, 3], seed=1981) - 0.5
d2 = distances(cluster)
print("particles:", n)
print("energy:", nansum(lj(d2)) / 2)
