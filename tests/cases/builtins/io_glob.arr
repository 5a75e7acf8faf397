# glob(pattern) gives a sorted list of paths (relative to the working directory).
# out: ["Cargo.lock", "Cargo.toml"]
print(glob("Cargo.*"))
