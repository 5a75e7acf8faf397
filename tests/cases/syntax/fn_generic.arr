# Untyped parameters are generic: the body is checked anew for each call.
# out: 6 6.0
# out: [2, 4] i32
# out: [2.0, 4.0] f32
# out: hihi
fn twice(x) { x + x }
print(twice(3), twice(3.0))
c = twice(astype(array([1, 2]), i32))
print(c, c.dtype)
d = twice(astype(array([1, 2]), f32))
print(d, d.dtype)
print(twice("hi"))
