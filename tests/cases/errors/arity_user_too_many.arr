# Calling a user function with too many arguments.
# error: `f` takes
# at: 5:12
fn f(a) { a }
print(f(1, 2))
