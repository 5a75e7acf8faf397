# memory planning: 10^6 blocks of 10 elements need more bookkeeping than a 256 MiB limit
# allows; the plan is refused up front with a suggestion of larger blocks.
# flags: --memory-limit 256MiB
print(sum(ones(10**7, chunks=10)))
# error: the plan does not fit the memory limit of 256.0 MiB: reducing `full` f64[10000000] visits 1000000 blocks, whose bookkeeping alone needs about 320.4 MiB; use larger blocks, e.g. chunks=60
# at: 4:1
