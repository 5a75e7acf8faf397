# Explicit chunks must add up to the axis length.
# error:
x = ones(10, chunks=[[3, 3, 3]])
print(x)
