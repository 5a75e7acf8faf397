# full_like keeps x's dtype, as NumPy: full_like(int array, 2.7) fills with 2.
# out: [2, 2] i64
c = full_like(arange(2), 2.7)
print(c, c.dtype)
