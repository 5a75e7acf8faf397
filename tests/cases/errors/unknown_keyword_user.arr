# An unknown keyword argument to a user function.
# error: `f` has no parameter `b`
fn f(a) { a }
print(f(1, b=2))
