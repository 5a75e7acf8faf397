# Comparisons are element-wise and give bool; nan compares unequal to everything.
# out: [false, true, false] [true, false, true] [true, false, false] [true, true, false] [false, false, true] [false, true, true]
# out: bool
# out: [true, false] [true, true]
# out: true false
x = array([1, 2, 3])
y = array([3, 2, 1])
print(x == y, x != y, x < y, x <= y, x > y, x >= y)
print((x < y).dtype)
print(array([1.0, nan]) == array([1.0, nan]), array([1.0, nan]) != nan)
print(2 <= 2, nan == nan)
