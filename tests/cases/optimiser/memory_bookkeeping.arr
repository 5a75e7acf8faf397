# memory planning: 10^7 blocks of 10 elements need more bookkeeping than a 256 MiB limit
# allows; the plan is refused up front with a suggestion of larger blocks.
# flags: --memory-limit 256MiB
print(sum(ones(10**8, chunks=10)))
# error: the plan does not fit the memory limit of 256.0 MiB: reducing `full` f64[100000000] visits 10000000 blocks, whose bookkeeping alone needs about 1.0 GiB; use larger blocks, e.g. chunks=170
# at: 4:1
