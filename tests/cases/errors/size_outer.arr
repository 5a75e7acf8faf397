# outer(ones(10**12), ones(10**12)) used to never return; it is too big to exist.
# error: array is too big
# at: 4:7
print(outer(ones(10**12), ones(10**12)).shape)
