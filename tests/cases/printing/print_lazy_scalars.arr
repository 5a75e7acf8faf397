# Lazy 0-d results print as plain scalars.
# out: 6.0 3 true 2.0
x = ones(6)
print(sum(x), argmax(arange(4)), all(x > 0), mean(array([1.0, 3.0])))
