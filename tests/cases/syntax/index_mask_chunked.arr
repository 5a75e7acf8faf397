# Masks and gathers on chunked arrays; a masked array can be reduced, sliced and counted.
# out: [0, 3, 6, 9] [[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]] [[3, 3], [7, 7], [11, 11]]
# out: 35 i64 [5, 7, 9]
# out: 1000 true
# out: nan
x = arange(12, chunks=5).reshape(3, 4)
print(x[x % 3 == 0], x[array([2, 0, -1])], x[:, array([3, 3])])
y = arange(10, chunks=3)
m = y > 4
print(sum(y[m]), y[m].dtype, y[m][::2])
r = random.normal(0, 1, shape=1000, chunks=100, seed=3)
p = r[r > 0]
print(len(p) + len(r[r <= 0]), all(p > 0))
print(mean(y[y > 100]))
