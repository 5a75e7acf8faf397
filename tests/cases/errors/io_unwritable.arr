# A store into a path whose folder is a file fails before anything runs.
# error: cannot write "Cargo.toml/out.npy": "Cargo.toml" is not a directory
# at: 5:17
print("never printed")
to_npy(ones(3), "Cargo.toml/out.npy")
