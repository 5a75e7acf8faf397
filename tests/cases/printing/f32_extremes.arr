# f32 values print shortest for f32; overflow on conversion gives inf.
# out: [1.5, 2.25] [1e-07, 123456.7] [3.4e+38, inf]
print(array([1.5, 2.25], dtype=f32), astype(array([1e-7, 123456.7]), f32), astype(array([3.4e38, 1e39]), f32))
