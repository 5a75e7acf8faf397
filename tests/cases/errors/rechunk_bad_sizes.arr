# Explicit chunks must add up to the axis length.
# error: explicit chunks [3, 3, 3] add up to 9, but the axis has length 10
# at: 4:21
x = ones(10, chunks=[[3, 3, 3]])
print(x)
