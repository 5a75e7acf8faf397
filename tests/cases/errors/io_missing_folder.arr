# Stores never create folders: a store into a missing folder fails before anything runs.
# error: cannot write "/tmp/arr-case-no-such-folder/x.h5": the folder "/tmp/arr-case-no-such-folder" does not exist (stores do not create folders)
# at: 5:18
print("never printed")
to_hdf5(ones(3), "/tmp/arr-case-no-such-folder/x.h5", "/x")
