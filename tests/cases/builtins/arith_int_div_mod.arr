# `//` floors and `%` takes the divisor's sign (ints and floats); `/` always yields a float.
# out: [3, -4, -4, 3] [1, 1, -1, -1] [3.5, -3.5, -3.5, 3.5]
# out: [3.0, -4.0, -4.0, 3.0] [1.0, 1.0, -1.0, -1.0]
# out: f64 i64
# out: 3 -4 1 -2 3.5
a = array([7, -7, 7, -7])
b = array([2, 2, -2, -2])
print(a // b, a % b, a / b)
print(astype(a, f64) // astype(b, f64), astype(a, f64) % astype(b, f64))
print((a / b).dtype, (a // b).dtype)
print(7 // 2, -7 // 2, 7 % 3, 7 % -3, 7 / 2)
