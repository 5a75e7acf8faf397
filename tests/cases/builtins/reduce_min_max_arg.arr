# min max argmin argmax; argmin/argmax without axis index the flattened array.
# out: -3.0 9.0 [0.5, -3.0, 4.0, 2.0] [7.0, 9.0] 5 6 [1, 1, 0, 1] [3, 2]
# out: i64
z = array([[1.0, 2.0, 4.0, 7.0], [0.5, -3.0, 9.0, 2.0]])
print(min(z), max(z), min(z, axis=0), z.max(axis=1), argmin(z), argmax(z), argmin(z, axis=0), z.argmax(axis=1))
print(argmax(z).dtype)
