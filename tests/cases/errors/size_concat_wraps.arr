# Concatenated lengths add up without wrapping (4 * 2**62 used to give length 0).
# error: array is too big
# at: 5:17
b = broadcast_to(array(true), [2**62])
c = concatenate([b, b, b, b])
print(c.size)
