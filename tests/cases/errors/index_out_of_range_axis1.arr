# Out of range on the second axis.
# error: index 3 is out of range for axis 1 of size 3
print(ones([2, 3])[0, 3])
