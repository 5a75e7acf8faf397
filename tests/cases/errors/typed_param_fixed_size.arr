# A numeric dimension in a type must match exactly.
# error: `f` expects
fn f(x: f64[3]) { x }
y = f(ones(4))
