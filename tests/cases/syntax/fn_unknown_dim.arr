# `?` in an array type: a length known only after computing (e.g. after a boolean mask).
# out: 3
# out: [1.0, 2.0, 3.0]
fn count(x: f64[?]) -> i64 { len(x) }
v = array([1.0, -1.0, 2.0, 3.0])
print(count(v[v > 0]))
print(v[v > 0])
