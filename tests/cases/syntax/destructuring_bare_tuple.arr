# As in Python, the right side of a destructuring may be a bare tuple (swap idiom).
# out: 2 1
a = 1
b = 2
a, b = b, a
print(a, b)
