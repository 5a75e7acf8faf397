# More indices than dimensions.
# error: too many indices
print(ones([2, 3])[0, 1, 0])
