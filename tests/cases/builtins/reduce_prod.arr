# prod with axis.
# out: 720 [4, 10, 18] [6, 120]
y = arange(1, 7).reshape(2, 3)
print(prod(y), prod(y, axis=0), y.prod(axis=-1))
