# Recursion through a default argument counts toward the depth (it used to overflow the stack).
# error: recursion deeper than 400 calls in `f`
# at: 4:13
fn f(x, y = f(1)) { x }
print(f(1))
