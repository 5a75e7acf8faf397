# repeat's counts are added without wrapping.
# error: array is too big
# at: 4:23
print(repeat(ones(4), 2**62).size)
