# minimum / maximum propagate nan; clip; scalar broadcast.
# out: [1.0, 2.0, nan, nan]
# out: [3.0, 5.0, nan, nan]
# out: [2, 2, 2, 3]
a = array([1.0, 5.0, nan, -2.0])
b = array([3.0, 2.0, 1.0, nan])
print(minimum(a, b))
print(maximum(a, b))
print(maximum(arange(4), 2))
