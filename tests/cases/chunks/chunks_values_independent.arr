# Results don't depend on the grid (integer data: exact).
# out: true true true
# out: [[102, 342, 582], [822, 1062, 1302]]
a = arange(120, chunks=7).reshape(2, 3, 20)
b = arange(120, chunks=-1).reshape(2, 3, 20)
print(all(a == b), sum(a) == sum(b), all(cumsum(a, axis=2) == cumsum(b, axis=2)))
print(rechunk(a, [1, 2, 3])[:, :, 3:15].sum(axis=2))
