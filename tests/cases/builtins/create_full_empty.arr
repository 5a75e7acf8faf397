# full takes the fill value's type unless dtype= is given; empty has the right shape.
# out: [7, 7, 7] i64
# out: [[2.5, 2.5]] f64
# out: [true, true] bool
# out: [3.0, 3.0] f32
# out: (2, 5) f64
a = full(3, 7)
print(a, a.dtype)
b = full([1, 2], 2.5)
print(b, b.dtype)
c = full(2, true)
print(c, c.dtype)
d = full(2, 3, dtype=f32)
print(d, d.dtype)
e = empty([2, 5])
print(e.shape, e.dtype)
