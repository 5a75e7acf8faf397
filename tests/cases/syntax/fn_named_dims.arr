# Named dimensions agree within one signature.
# out: (3, 3)
# out: [[2.0, 3.0, 4.0], [3.0, 4.0, 5.0], [4.0, 5.0, 6.0]]
fn outer_sum(a: f64[n], b: f64[n]) -> f64[n, n] {
    a[:, newaxis] + b[newaxis, :]
}
r = outer_sum(array([1.0, 2.0, 3.0]), array([1.0, 2.0, 3.0]))
print(r.shape)
print(r)
