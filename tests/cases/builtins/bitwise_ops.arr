# & | ^ ~ are bitwise on integers and element-wise logic on bool.
# out: [2, 1, 8] [7, 7, 14] [5, 6, 6]
# out: [true, false, false, false] [true, true, true, false] [false, true, true, false] [false, false, true, true]
# out: [-7, -6, -13]
a = array([6, 5, 12])
b = array([3, 3, 10])
print(a & b, a | b, a ^ b)
t = array([true, true, false, false])
f = array([true, false, true, false])
print(t & f, t | f, t ^ f, ~t)
print(~a)
