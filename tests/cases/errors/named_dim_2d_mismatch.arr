# A named dimension shared between axes of two parameters.
# error: dimension `d` of `proj` is 3 in `x` but 2 in `w`
fn proj(x: f64[n, d], w: f64[d, k]) -> f64[n, k] { x @ w }
p = proj(ones([5, 3]), ones([2, 4]))
