# assert on an array condition is ambiguous, as in `if`.
# error: the truth value of an array of shape (3,) is ambiguous
assert(ones(3) > 0, "x")
