# floor, ceil, round (half to even, as NumPy), trunc; round(x, decimals=).
# out: [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 1.0, -2.0]
# out: [-2.0, -1.0, -0.0, 1.0, 2.0, 3.0, 2.0, -1.0]
# out: [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 2.0, -2.0]
# out: [-2.0, -1.0, -0.0, 0.0, 1.0, 2.0, 1.0, -1.0]
# out: [1.23, -9.88, 125.0] [1200.0, 1200.0]
x = array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.7, -1.7])
print(floor(x))
print(ceil(x))
print(round(x))
print(trunc(x))
print(round(array([1.23456, -9.87654, 125.0]), decimals=2), round(array([1234.5, 1250.0]), decimals=-2))
