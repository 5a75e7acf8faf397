# arange(inf) used to print numbers; NumPy cannot compute its length either.
# error: arange cannot compute its length
# at: 4:14
print(arange(inf))
