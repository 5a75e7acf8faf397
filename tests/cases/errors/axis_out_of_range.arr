# A reduction axis beyond the array's dimensions.
# error: axis 1 is out of range for an array with 1 dimension
print(sum(ones(3), axis=1))
