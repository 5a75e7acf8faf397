# Unary minus on a bool is an error (NumPy: "the numpy boolean negative ... is not supported"),
# for a scalar as for an array.
# error: cannot negate a bool
x = true
print(-x)
