# Doubling an array in a loop doubles its block list; past 10^7 blocks on an axis the
# result is refused where it is built (instead of exhausting memory).
# error: the result would have 16777216 blocks along axis 0, more than 10000000
# at: 6:38
x = ones(1)
for i in range(80) { x = concatenate([x, x]) }
print(x.size)
