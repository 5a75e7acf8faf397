# ** is element-wise power.
# out: [1, 4, 9, 16] [1.4142135623730951, 2.0] [8, 9]
# out: i64 f64
print(arange(1, 5) ** 2, array([2.0, 4.0]) ** 0.5, array([2, 3]) ** array([3, 2]))
print((arange(3) ** 2).dtype, (arange(3) ** 0.5).dtype)
