# map_overlap's depth may not exceed the smallest block (Dask's rule).
# error: depth 3 on axis 0 is larger than the smallest block (2) of x
# at: 5:37
x = arange(10.0, chunks=[[4, 4, 2]])
y = map_overlap(|b| b * 2, x, depth=3)
