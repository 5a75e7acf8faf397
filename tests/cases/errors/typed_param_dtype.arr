# A typed parameter takes only its dtype: f64 passed to f32[n] is an error.
# error: `f` expects x of dtype f32, got f64[3]
# at: 6:5
# golden
fn f(x: f32[n]) -> f32[n] { x * 2.0 }
y = f(ones(3))
