# arange(stop), arange(start, stop), arange(start, stop, step); float forms give f64.
# out: [0, 1, 2, 3, 4] i64
# out: [2, 3, 4]
# out: [10, 7, 4, 1]
# out: [0.0, 0.25, 0.5, 0.75] f64
# out: [0.0, 1.0, 2.0]
# out: [] (0,)
a = arange(5)
print(a, a.dtype)
print(arange(2, 5))
print(arange(10, 0, -3))
b = arange(0, 1, 0.25)
print(b, b.dtype)
print(arange(3.0))
print(arange(5, 2), arange(5, 2).shape)
