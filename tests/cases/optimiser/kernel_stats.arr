# Several reductions of one generated array are sinks of ONE kernel: the generator runs once
# per element for sum, mean and std together.
# opt-only
# flags: --memory-limit 1GiB
# structure: kernels=1 tasks=10 generated=1000000
x = random.uniform(-1, 1, shape=[10**6], chunks=10**5, seed=3)
print(x.sum(), x.mean(), x.std())
# out: 116.65545808710192 0.00011665545808710192 0.5769745459439733
