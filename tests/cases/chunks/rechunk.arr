# rechunk changes the grid, not the values.
# out: ((4, 4, 2),) [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
# out: ((4,), (3, 3))
# out: ((2, 3),)
# out: true
x = rechunk(arange(10, chunks=3), 4)
print(x.chunks, x)
print(rechunk(ones([4, 6], chunks=2), [-1, 3]).chunks)
print(ones(5).rechunk([[2, 3]]).chunks)
y = arange(24.0).reshape(4, 6)
print(all(rechunk(y, [3, 5]) == y))
