# Two recursive calls per level stop at the first error (checking used to take 2^40 steps).
# error: recursion deeper than 400 calls in `f`
# at: 4:15
fn f(x) { y = f(x); f(x) }
f(1)
