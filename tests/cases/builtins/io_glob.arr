# glob(pattern) gives a sorted list of paths (relative to the working directory).
# pending: glob is not built yet (§11 Input/output)
# out: ["Cargo.lock", "Cargo.toml"]
print(glob("Cargo.*"))
