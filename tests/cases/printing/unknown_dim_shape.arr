# A `?` dimension prints as ? in a shape until it is computed; len(x) computes it.
# out: (?,)
# out: 4
# out: (4,)
x = arange(10)
y = x[x > 5]
print(y.shape)
print(len(y))
print(y.shape)
