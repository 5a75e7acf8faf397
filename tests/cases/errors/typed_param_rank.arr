# A typed parameter with two dimensions rejects a 1-D argument.
# error: `f` expects
fn f(x: f64[n, m]) { x }
y = f(ones(3))
