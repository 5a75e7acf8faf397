# array() from nested lists: dtype from the elements (ints -> i64, any float -> f64, bools).
# out: [[1, 2], [3, 4]] i64 (2, 2)
# out: [1.5, 2.0] f64
# out: [true, false] bool
# out: [1, 2] u8
# out: 3 ()
a = array([[1, 2], [3, 4]])
print(a, a.dtype, a.shape)
b = array([1.5, 2])
print(b, b.dtype)
c = array([true, false])
print(c, c.dtype)
d = array([1, 2], dtype=u8)
print(d, d.dtype)
s = array(3)
print(s, s.shape)
