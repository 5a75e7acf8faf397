# String escapes \n \t \\ \".
# out: a
# out: b	c\d"e"
# out: 6
print("a\nb\tc\\d\"e\"")
print(len("ab\tc\\d"))
