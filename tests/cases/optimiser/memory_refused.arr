# memory planning: one block of 3 GiB cannot be stored under a 256 MiB limit; the plan is
# refused before anything runs, naming the node and a chunking that fits.
# flags: --memory-limit 256MiB
x = random.normal(shape=[20000, 20000], chunks=[20000, 20000], seed=1)
to_npy(x + 1, "/tmp/arr-never-written.npy")
# error: the plan does not fit the memory limit of 256.0 MiB: one task needs about 6.0 GiB, mostly blocks of `random.normal` f64[20000, 20000] (3.0 GiB each); use smaller blocks, e.g. chunks=(2896, 2896)
# at: 5:15
