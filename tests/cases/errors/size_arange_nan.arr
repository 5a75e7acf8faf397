# A nan bound gives no length.
# error: arange cannot compute its length
# at: 4:17
print(arange(0, nan, 0.5))
