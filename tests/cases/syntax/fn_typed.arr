# Typed function with return type; body's last expression is its value.
# out: [2.0, 4.0, 6.0]
# out: f64 (3,)
fn double(x: f64[n]) -> f64[n] {
    x * 2
}
y = double(array([1.0, 2.0, 3.0]))
print(y)
print(y.dtype, y.shape)
