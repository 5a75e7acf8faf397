# to_zarr then from_zarr (formats 3 and 2) reads back values and dtype; blocks are whole
# multiples of the store's chunks (here the whole small array).
# out: [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]] f32 ((2,), (3,))
# out: [5, 4, 3, 2, 1, 0] i32
x = astype(arange(6).reshape(2, 3) + 0.5, f32)
to_zarr(x, "/tmp/arr_case_io3.zarr", chunks=[1, 2])
y = from_zarr("/tmp/arr_case_io3.zarr")
print(y, y.dtype, y.chunks)
to_zarr(astype(arange(6), i32), "/tmp/arr_case_io2.zarr", zarr_format=2)
z = from_zarr("/tmp/arr_case_io2.zarr")
print(z[::-1], z.dtype)
