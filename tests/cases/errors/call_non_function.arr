# Calling something that is not a function.
# error: int is not callable
# at: 5:7
x = 3
print(x(1))
