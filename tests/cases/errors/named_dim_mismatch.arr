# A named-dimension mismatch is reported at the call, naming both parameters and sizes.
# error: dimension `n` of `dist` is 3 in `a` but 4 in `b`
# at: 8:5
# golden
fn dist(a: f64[n], b: f64[n]) -> f64 {
    sum((a - b) ** 2)
}
d = dist(ones(3), zeros(4))
