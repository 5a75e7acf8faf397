# A host value NumPy refuses to cast is refused: full(3, nan, dtype=i64) used to give zeros.
# error: cannot convert float nan to integer
# at: 4:15
print(full(3, nan, dtype=i64))
