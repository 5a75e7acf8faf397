# A syntax error: the program never runs.
# error: unexpected end of input
print("before")
x = (1 +
