# Stacking an array with itself 70 times used to give size 0.
# error: array is too big
# at: 6:9
x = ones(2)
for i in range(70) {
    x = stack([x, x])
}
print(x.size)
