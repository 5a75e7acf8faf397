# A literal that cannot be represented in the array's dtype is an error.
# error: the literal 300 does not fit in u8
# at: 6:5
# golden
x = astype(ones(2), u8)
y = x + 300
print(y)
