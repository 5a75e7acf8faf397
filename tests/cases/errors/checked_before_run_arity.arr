# An arity error later in the script stops it before anything prints.
# error: `h` is missing the argument `b`
print("no")
fn h(a, b) { a }
h(1)
