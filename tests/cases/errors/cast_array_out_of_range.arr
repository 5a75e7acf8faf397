# array(..., dtype=) refuses elements its dtype cannot hold, as NumPy does.
# error: -1 is out of bounds for u8
# at: 4:13
print(array([1, -1], dtype=u8))
