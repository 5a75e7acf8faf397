# A scalar is a 0-d array (LANGUAGE.md §4): literals have shape, ndim and dtype.
# `1` is i64 and `1.0` is f64.
# out: i64 f64 f64 f64
# out: () 0 1
print((1).dtype, (1.0).dtype, (2.).dtype, (1e-6).dtype)
x = 1.5
print(x.shape, x.ndim, x.size)
