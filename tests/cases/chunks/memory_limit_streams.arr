# An array much larger than the memory limit is streamed through in blocks.
# flags: --memory-limit 64MiB
# out: 320000000 true
x = random.normal(0, 1, shape=[20000, 2000], chunks=[1000, 1000], seed=1)
print(x.nbytes, abs(mean(x)) < 0.001)
