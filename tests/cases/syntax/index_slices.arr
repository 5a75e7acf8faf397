# Slices a:b:s; any part may be left out.
# out: [2, 3, 4]
# out: [0, 1, 2]
# out: [7, 8, 9]
# out: [0, 3, 6, 9]
# out: [1, 3, 5]
# out: [8, 9]
# out: []
x = arange(10)
print(x[2:5])
print(x[:3])
print(x[7:])
print(x[::3])
print(x[1:7:2])
print(x[-2:])
print(x[5:2])
