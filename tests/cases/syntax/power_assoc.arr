# ** is right-associative and binds tighter than unary minus on its left.
# out: -4 true
# out: 512 64
# out: 0.5 4
# out: 4
print(-2**2, -2**2 == -4)
print(2**3**2, (2**3)**2)
print(2.0 ** -1, (-2) ** 2)
print(2 * 2 ** 1)
