# zeros / ones: default dtype f64; shape as int, list or tuple; dtype= as name or string.
# out: [0.0, 0.0, 0.0]
# out: [[1.0, 1.0], [1.0, 1.0]]
# out: [[0, 0, 0]] i32
# out: [1, 1] u8
# out: (2, 3, 4) f64
print(zeros(3))
print(ones([2, 2]))
z = zeros((1, 3), dtype=i32)
print(z, z.dtype)
o = ones(2, dtype="u8")
print(o, o.dtype)
print(zeros([2, 3, 4]).shape, zeros([2, 3, 4]).dtype)
