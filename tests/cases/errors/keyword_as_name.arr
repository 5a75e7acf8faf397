# Keywords cannot be used as names.
# error: unexpected
in = 3
