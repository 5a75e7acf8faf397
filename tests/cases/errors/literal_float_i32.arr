# A literal beyond i32 next to an i32 array.
# error: the literal 3000000000 does not fit in i32
x = ones(2, dtype=i32) + 3000000000
