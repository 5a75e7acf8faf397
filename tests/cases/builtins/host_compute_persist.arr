# compute gives an in-memory array; persist keeps the computed chunks; values unchanged.
# out: [0, 2, 4, 6]
# out: [1, 3, 5, 7] 16
# out: (4,) i64
x = arange(4, chunks=2) * 2
c = compute(x)
print(c)
p = persist(x + 1)
print(p, sum(p))
print(c.shape, c.dtype)
