# Comments run from # to the end of the line, also after code.
# out: 3
x = 1  # a trailing comment
# a whole-line comment: print(999)
y = 2 # print(y)
print(x + y)   # done
