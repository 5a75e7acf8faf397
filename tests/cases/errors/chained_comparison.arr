# Chained comparisons are an error.
# error: chained comparisons are not allowed
# at: 4:7
print(1 < 2 < 3)
