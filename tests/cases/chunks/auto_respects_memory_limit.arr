# With a small --memory-limit, chunks="auto" picks blocks that fit instead of failing.
# flags: --memory-limit 1MiB
# out: 10000000.0
print(sum(ones(10000000)))
