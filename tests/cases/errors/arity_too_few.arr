# Calling a user function with too few arguments.
# error: `f` is missing the argument `b`
# at: 6:7
# golden
fn f(a, b) { a + b }
print(f(1))
