# Sizes never wrap: an array of more bytes than the largest possible array is refused (NumPy:
# "array is too big"), pointing at the call; zeros([2**62, 4]).size used to print 0.
# error: array is too big
# at: 5:5
x = zeros([2**62, 4])
print(x.size)
