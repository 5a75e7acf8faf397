# `args` holds the extra command-line arguments as strings (none here).
# out: []
# out: 0
print(args)
print(len(args))
