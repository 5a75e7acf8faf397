# A dataset that is not in the file is reported at its name, listing what the file holds.
# error: no dataset "/t3m" in "/tmp/arr_case_io_ds.h5"; it holds /t2m
# at: 6:41
to_hdf5(ones(3), "/tmp/arr_case_io_ds.h5", "/t2m")
x = from_hdf5("/tmp/arr_case_io_ds.h5", "/t2m")
y = from_hdf5("/tmp/arr_case_io_ds.h5", "/t3m")
