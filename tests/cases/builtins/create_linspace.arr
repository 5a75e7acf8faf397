# linspace(start, stop, num) includes stop; values match NumPy's bit for bit.
# out: [0.0, 0.25, 0.5, 0.75, 1.0]
# out: [-1.0, -0.6666666666666667, -0.33333333333333337, 0.0, 0.33333333333333326, 0.6666666666666665, 1.0]
# out: [0.0]
# out: (50,) f64
print(linspace(0, 1, 5))
print(linspace(-1, 1, 7))
print(linspace(0, 10, 1))
print(linspace(0, 1).shape, linspace(0, 1).dtype)
