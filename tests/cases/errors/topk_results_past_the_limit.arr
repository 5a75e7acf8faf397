# topk keeps each block's k best: when those pass half the memory limit (k near the axis
# length), a clear error at the call instead of growing past the limit. A small k runs.
# flags: --memory-limit 32MiB
# error: the results kept from the blocks need more than 16.0 MiB (half the memory limit of 32.0 MiB); raise --memory-limit or ask for a smaller result
# out: 3
# at: 9:7
x = random.normal(0, 1, shape=[4000000], chunks=[100000], seed=1)
print(len(topk(x, 3)))
print(topk(x, 3000000)[:2])
