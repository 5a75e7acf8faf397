# argmax/argmin return the first occurrence, also when ties sit in different blocks.
# out: 1 1 1 [1, 0, 0] [1, 0]
# out: 1 1 nan 3.0 1.0
x = array([1, 5, 2, 5, 5, 0, 5], chunks=2)
m = array([[1, 9, 9], [9, 2, 9]], chunks=1)
print(argmax(x), argmin(-x), argmax(rechunk(x, 1)), argmax(m, axis=0), argmax(m, axis=1))
y = array([1.0, nan, 3.0, nan], chunks=1)
print(argmax(y), argmin(y), max(y), nanmax(y), nanmin(y))
