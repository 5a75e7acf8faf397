# A square routine needs the matrix in memory: the check refuses it up front, with the size.
# flags: --memory-limit 1MiB
# error: `linalg.inv` needs the whole f64[1000, 1000] in memory (7.6 MiB as f64) but the memory limit is 1.0 MiB
# at: 5:18
print(linalg.inv(ones([1000, 1000], chunks=100)))
