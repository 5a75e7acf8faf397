# W9 — Xarray over Zarr (seeds): a time x y x x f32 cube in Zarr; the mean over y and x of
# each time step, and a 3 x 3 moving average over (y, x) by map_overlap stored back to Zarr.
#   arr w9_cube.arr CUBE.zarr OUT.zarr

cube = from_zarr(args[0])
m = cube.mean(axis=[1, 2])
print("shape", cube.shape)
print("step_mean_sum", float(astype(m, f64).sum()))
print("step_mean_0", float(m[0]))
# The halo of each block comes from its neighbours' edges; the function returns the interior.
fn box3(b) {
    s = b[:, :-2, :] + b[:, 1:-1, :] + b[:, 2:, :]
    (s[:, :, :-2] + s[:, :, 1:-1] + s[:, :, 2:]) / 9.0
}
avg = map_overlap(box3, cube, depth=[0, 1, 1], boundary="reflect", trim=false)
to_zarr(avg, args[1], compression="none")
print("avg_mean", float(astype(from_zarr(args[1]), f64).mean()))
