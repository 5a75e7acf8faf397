# f32 values print in the shortest form that reads back as the same f32.
# out: [0.1, 0.3, 1e-06, 3.0]
# out: 16777216.0
x = astype(array([0.1, 0.1, 1e-6, 3.0]), f32)
print(x * array([1.0, 3.0, 1.0, 1.0], dtype=f32))
print(astype(array([16777217.0]), f32)[0])
