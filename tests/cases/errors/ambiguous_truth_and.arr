# `and` needs scalar host conditions, not arrays.
# error:
x = ones(3)
if (x > 0) and true { print("yes") }
