# map_overlap with every boundary mode against the stencil on NumPy's padded array (values from NumPy); odd blocks; coarsen.
# out: [1.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 35.0]
# out: [10.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 26.0]
# out: [1.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 35.0]
# out: [-0.5, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 24.5]
# out: [4.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 32.0]
# out: [8.0, 9.0, 0.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 5.0, 6.0, 7.0, 8.0, 9.0, 0.0, 1.0]
# out: [[1.0, 4.0, 7.0, 9.0], [9.0, 12.0, 15.0, 17.0], [21.0, 24.0, 27.0, 29.0], [33.0, 36.0, 39.0, 41.0], [45.0, 48.0, 51.0, 53.0]]
# out: [[2.5, 4.5], [10.5, 12.5]] [[7.0], [15.0]]
x = arange(10.0, chunks=[[3, 4, 3]])
s = |b| roll(b, 1) + 2 * b + roll(b, -1)
print(map_overlap(s, x, depth=1, boundary="reflect"))
print(map_overlap(s, x, depth=1, boundary="periodic"))
print(map_overlap(s, x, depth=1, boundary="nearest"))
print(map_overlap(s, x, depth=1, boundary=-1.5))
print(map_overlap(s, x, depth=1, boundary="none"))
print(map_overlap(|b| b, x, depth=2, boundary="periodic", trim=false))
m = arange(20.0).reshape([5, 4])
m = rechunk(m, [[2, 3], [2, 2]])
print(map_overlap(|b| roll(b, 1, axis=0) + roll(b, -1, axis=1) + b, m, depth=[1, 1], boundary="nearest"))
print(coarsen(m[:4], [2, 2]), coarsen(m[:4], [2, 4], func=max))
