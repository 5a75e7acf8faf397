# Integers to negative integer powers are an error in NumPy, not a silent 0.
# error: integers to negative integer powers are not allowed
# at: 4:7
print(arange(1, 4) ** -1)
