# tile's lengths are multiplied without wrapping (2**40 * 2**40 used to give 0).
# error: array is too big
# at: 4:35
print(tile(ones(2**40, dtype=u8), [2**40]).size)
