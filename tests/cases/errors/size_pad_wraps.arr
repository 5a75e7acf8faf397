# pad's widths are added without wrapping (2**62 + 2 + 2**62 is more than an array can hold).
# error: array is too big
# at: 4:20
print(pad(ones(2), [[2**62, 2**62]]).size)
