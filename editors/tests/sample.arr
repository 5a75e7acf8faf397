# sample.arr — the reference the vim and emacs tests highlight and re-indent.
# Its indentation is what both editors must produce from a flush-left copy.

fn lj(r2) {
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}

fn distances(c: f64[n, 3]) -> f64[n, n] {
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    (diff * diff).sum(axis=-1)
}

fn classify(v) {
    if v > 0 {
        "positive"
    } else if v < 0 {
        "negative"
    } else {
        "zero"
    }
}

fn apply(f, x) { f(x) }

fn doubled(x) {
    y = apply(|b| {
        b * 2
    }, x)
    y
}

x = random.normal(
    0,
    1,
    shape=[100, 100],
    chunks=[50, 50],
    seed=42,
)
m = maximum(x,
    0.5)
total = 0
for i in range(10) {
    total = total + i   # a { in a comment does not count
}
label = "} in a string does not count {"
rows = array([
    [1, 2, 3],
    [4, 5, 6],
])
n = 1_000_000 + 0x1f
f = 1e-6 + 2. + .5
add = |a, b| a + b
print(classify(total), lj(2.0), distances(x[:, :3]).shape, x.T.dtype, label, pi, true)
