# Destructuring needs as many names as values.
# error: cannot unpack 3 values into 2 names
a, b = (1, 2, 3)
