# A typed parameter takes only its dtype: a bool passed to `x: i64` is an error.
# error: `f` expects x
fn f(x: i64) { x }
print(f(true))
