# W9-mean — the first half of W9 alone: the mean over y and x of each time step of the cube.
#   arr w9_mean.arr CUBE.zarr

cube = from_zarr(args[0])
m = cube.mean(axis=[1, 2])
print("step_mean_sum", float(astype(m, f64).sum()))
print("step_mean_0", float(m[0]))
