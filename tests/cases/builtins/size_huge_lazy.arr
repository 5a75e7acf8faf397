# Huge lazy arrays are described at once: sizes up to the largest possible array, and
# slicing, new axes and outer products cost blocks, not elements (they used to walk every
# kept element: ones(10**12)[:] never returned).
# out: 1152921504606846976 1152921504606846976
# out: (500000000000,)
# out: (1000000000000, 1)
# out: (1000000000000,)
# out: (999999999999,)
# out: (1000000000, 1000000000)
# out: (2000000000000,)
x = zeros([2**40, 2**20], dtype=u8)
print(x.size, x.nbytes)
print(ones(10**12)[::2].shape)
print(ones(10**12)[:, newaxis].shape)
print(ones(10**12)[:].shape)
print(ones(10**12)[-2::-1].shape)
print(outer(ones(10**9), ones(10**9)).shape)
print(repeat(ones(10**12), 2).shape)
