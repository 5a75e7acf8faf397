# Calling something that is not a function.
# error:
x = 3
print(x(1))
