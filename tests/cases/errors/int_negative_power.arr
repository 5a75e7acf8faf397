# Integers to negative integer powers are an error in NumPy, not a silent 0.
# error:
print(arange(1, 4) ** -1)
