# A missing input file is reported at its path before anything runs.
# error: no such file: "/tmp/arr_case_no_such_file.h5"
# at: 5:25
print("never printed")
days = stack([from_hdf5("/tmp/arr_case_no_such_file.h5", "/t2m")])
