# Shapes that cannot broadcast; the message gives both types.
# error: cannot broadcast f64[3, 4] with f64[5]
# at: 7:5
# golden
a = ones([3, 4])
b = ones(5)
y = a + b
print(y)
