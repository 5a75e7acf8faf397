# Leading (batch) axes of @ must broadcast; checked before anything runs (no output).
# error: matmul: cannot broadcast the leading axes (2,) and (5,) of f64[2, 3, 4] @ f64[5, 4, 6]
# at: 5:7
print(1)
print(ones([2, 3, 4]) @ ones([5, 4, 6]))
