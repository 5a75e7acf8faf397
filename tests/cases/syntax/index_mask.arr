# x[mask] with a bool array of x's shape gives a 1-D array of length `?`.
# out: [5, 6, 7, 8, 9]
# out: (?,)
# out: 5
# out: [1, 3, 5]
x = arange(10)
y = x[x >= 5]
print(y)
m = arange(6).reshape(2, 3)
z = m[m % 2 == 1]
print(x[x > 100].shape)
print(len(y))
print(z)
