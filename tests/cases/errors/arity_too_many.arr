# Calling a builtin with too many positional arguments.
# error: `ones` takes at most 3 positional arguments
print(ones(2, f64, "auto", 5))
