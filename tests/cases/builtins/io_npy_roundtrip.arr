# to_npy then from_npy reads back the same values, dtype and shape; chunks= on read.
# out: [[0, 1, 2], [3, 4, 5]] i64 ((1, 1), (3,))
# out: [0.5, 1.5] f32
to_npy(arange(6).reshape(2, 3), "/tmp/arr_case_io_roundtrip.npy")
x = from_npy("/tmp/arr_case_io_roundtrip.npy", chunks=[1, -1])
print(x, x.dtype, x.chunks)
to_npy(astype(array([0.5, 1.5]), f32), "/tmp/arr_case_io_roundtrip_f32.npy")
y = from_npy("/tmp/arr_case_io_roundtrip_f32.npy")
print(y, y.dtype)
