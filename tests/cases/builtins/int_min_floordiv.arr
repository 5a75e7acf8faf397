# Integer division wraps as NumPy does: the smallest integer // -1 is itself, % -1 is 0,
# never a crash (JIT and interpreter alike).
x = full(2, -9223372036854775807 - 1, dtype=i64)
print(x // -1, x % -1, -x)
y = full(2, -2147483647 - 1, dtype=i32)
print(y // -1, y % -1)
# out: [-9223372036854775808, -9223372036854775808] [0, 0] [-9223372036854775808, -9223372036854775808]
# out: [-2147483648, -2147483648] [0, 0]
