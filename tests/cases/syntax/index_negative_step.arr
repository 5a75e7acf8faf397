# Negative steps, as in NumPy.
# out: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
# out: [8, 6, 4]
# out: [9, 6, 3, 0]
# out: [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1, 0]]
x = arange(10)
print(x[::-1])
print(x[8:2:-2])
print(x[::-3])
print(arange(12).reshape(3, 4)[::-1, ::-1])
