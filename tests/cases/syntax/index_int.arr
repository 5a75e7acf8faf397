# Integer indexing; negative indices count from the end.
# out: 0 9 8
# out: [4, 5, 6, 7]
# out: 6 11
# out: [3, 7, 11]
x = arange(10)
print(x[0], x[9], x[-2])
m = arange(12).reshape(3, 4)
print(m[1])
print(m[1, 2], m[-1, -1])
print(m[:, 3])
