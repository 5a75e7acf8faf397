# `and` needs scalar host conditions, not arrays.
# error: the truth value of an array of shape (3,) is ambiguous
# at: 5:4
x = ones(3)
if (x > 0) and true { print("yes") }
