# Host integers never wrap: the one quotient beyond i64 (the smallest integer // -1) is an
# overflow error, as 2**63 is (arrays wrap as NumPy does: builtins/int_min_floordiv.arr).
# error: integer overflow in host arithmetic
print((-9223372036854775807 - 1) // -1)
