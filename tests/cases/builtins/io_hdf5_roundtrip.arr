# to_hdf5 then from_hdf5 reads back values, dtype and shape; slices are pushed into the read;
# several arrays go into one file in one call.
# out: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] i64 (3, 4)
# out: [[11, 9], [3, 1]]
# out: [true, false, true] bool
# out: ((2, 1), (4,))
x = arange(12).reshape(3, 4)
to_hdf5([x, array([true, false, true])], "/tmp/arr_case_io.h5", ["/grp/x", "/b"])
y = from_hdf5("/tmp/arr_case_io.h5", "/grp/x")
print(y, y.dtype, y.shape)
print(y[::-2, ::-2])
b = from_hdf5("/tmp/arr_case_io.h5", "/b")
print(b, b.dtype)
print(from_hdf5("/tmp/arr_case_io.h5", "/grp/x", chunks=[2, -1]).chunks)
