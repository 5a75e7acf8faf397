# @ binds like * (left to right); unary ~ binds tighter than +; ** takes a unary operand on its right.
# out: [[4.0, 4.0], [4.0, 4.0]]
# out: -2 -1
# out: 0.25 -8
# out: [true, true, false]
# out: 6
m = ones([2, 2])
print(m @ m * 2)
print(~1 + 2 - 1 + -1 + 1 - 2 + 1, ~0)
print(2.0 ** -2, -2 ** 3)
x = array([1, 2, 3])
print((x > 0) & (x < 3) | (x == 1))
print(2 + 4 * 3 % 5 * 2)
