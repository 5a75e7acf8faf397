# The declared return type is checked.
# error: `f` expects the result of dtype f32, got f64[2]
fn f(x) -> f32[n] { x }
print(f(ones(2)))
