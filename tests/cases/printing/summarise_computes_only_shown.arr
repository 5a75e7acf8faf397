# Printing a summarised array needs only the entries it shows (LANGUAGE.md §1, §5): a 3.2 GB
# lazy array prints under a 64 MiB memory limit, without materialising the whole result.
# flags: --memory-limit 64MiB
# out: (20000, 20000)
# out: [[true, true, true, ..., true, true, true], [true, true, true, ..., true, true, true], [true, true, true, ..., true, true, true], ..., [true, true, true, ..., true, true, true], [true, true, true, ..., true, true, true], [true, true, true, ..., true, true, true]]
x = random.uniform(0, 1, shape=[20000, 20000], seed=1)
print(x.shape)
print(x >= 0)
