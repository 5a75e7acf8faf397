# A mask must have the indexed array's shape.
# error: a mask of shape (2,) does not match i64[5]
# at: 4:17
print(arange(5)[array([true, false])])
