# map_blocks(f, x) applies a function to each block; the result doesn't depend on the grid.
# out: [0, 2, 4, 6, 8, 10, 12]
# out: [1.0, 1.0, 1.0, 1.0, 1.0]
fn double(b) { b * 2 }
print(map_blocks(double, arange(7, chunks=3)))
print(map_blocks(|b| b + 1, zeros(5, chunks=2)))
