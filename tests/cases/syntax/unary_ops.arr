# Unary - + ~ ; ~ is bitwise not on ints and logical not on bool arrays.
# out: -3 3 -6 5
# out: [false, true]
# out: [-1, -2, -3]
print(-3, +3, ~5, -(-5))
print(~array([true, false]))
print(~arange(3))
