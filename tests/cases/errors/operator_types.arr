# An operator between unsupported types.
# error: unsupported operator `+` for str and int
print("a" + 1)
