# A weak literal passed to a typed scalar parameter takes the parameter's dtype
# (LANGUAGE.md §4 "weak literals aside"): 2 passed to `x: f64` is 2.0 inside the function.
# out: 2.0
# out: 2.0
# out: 1.0
fn f(x: f64) { x }
print(f(2))
fn g(x: f64) -> f64 { x }
print(g(2))
fn h(x: f64) { x / 2 * 1 - x / 2 + 1 }
print(h(3))
