# Lists: literals, indexing, len, concatenation.
# out: [1, 2, 3]
# out: 3 1 3
# out: [1, 2, 3, 4]
# out: [2, 3]
# out: [[1, 2], ["x"]]
l = [1, 2, 3]
print(l)
print(len(l), l[0], l[-1])
print(l + [4])
print(l[1:])
print([[1, 2], ["x"]])
