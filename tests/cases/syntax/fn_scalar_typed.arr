# A scalar type is a 0-d array type: `f64`, `i64`.
# out: 2.5
# out: 7
fn half(x: f64) -> f64 { x / 2 }
fn inc(n: i64) -> i64 { n + 1 }
print(half(5.0))
print(inc(6))
