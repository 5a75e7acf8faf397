# The product of a new shape is checked: 2**32 * 2**32 used to wrap to 0 and match an empty array.
# error: array is too big
# at: 4:25
print(reshape(zeros(0), [2**32, 2**32]).shape)
