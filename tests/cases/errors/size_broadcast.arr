# Broadcasting two large operands gives an array too big to exist.
# error: array is too big
# at: 4:7
print((ones([2**40, 1]) + ones([1, 2**40])).size)
