# reshape to a shape with a different number of elements.
# error: cannot reshape i64[6] (6 elements) into shape (4, 2)
# golden
print(arange(6).reshape(4, 2))
