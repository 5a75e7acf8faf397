# Integer // and % by zero give 0 (as NumPy); float division by zero follows IEEE.
# out: [0, 0, 0] [0, 0, 0]
# out: [inf, -inf, nan]
# out: [inf, -inf] [nan, nan]
# out: nan inf
print(array([5, -5, 0]) // 0, array([5, -5, 0]) % 0)
print(array([1.0, -1.0, 0.0]) / 0.0)
print(array([5.5, -5.5]) // 0.0, array([5.5, -5.5]) % 0.0)
print(0.0 / 0.0, 1.0 / 0.0)
