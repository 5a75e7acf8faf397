# zeros_like / ones_like / full_like copy shape and dtype (dtype= overrides).
# out: [[0, 0, 0], [0, 0, 0]] i64
# out: [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]] f32
# out: [[9, 9, 9], [9, 9, 9]] i64
# out: [0.5, 0.5] f64
x = arange(6).reshape(2, 3)
a = zeros_like(x)
print(a, a.dtype)
b = ones_like(x, dtype=f32)
print(b, b.dtype)
c = full_like(x, 9)
print(c, c.dtype)
print(full_like(zeros(2), 0.5), full_like(zeros(2), 0.5).dtype)
