# print separates its arguments by one space and ends with a newline; print() prints an empty line.
# out: 1 two 3.0 true none
# out: 
# out: [1, 2] (3, 4) f32
print(1, "two", 3.0, true, none)
print()
print([1, 2], (3, 4), f32)
