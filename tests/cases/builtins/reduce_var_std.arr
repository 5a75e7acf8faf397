# var / std with axis and ddof=.
# out: 12.62109375 [0.0625, 6.25, 6.25, 6.25] [5.25, 19.046875]
# out: 14.424107142857142 [7.0, 25.395833333333332]
# out: 3.552617872780578 [0.25, 2.5, 2.5, 2.5] [2.6457513110645907, 5.039427877580285]
z = array([[1.0, 2.0, 4.0, 7.0], [0.5, -3.0, 9.0, 2.0]])
print(var(z), var(z, axis=0), z.var(axis=1))
print(var(z, ddof=1), var(z, axis=1, ddof=1))
print(std(z), std(z, axis=0), z.std(axis=1, ddof=1))
