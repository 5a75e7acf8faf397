# Several reductions of one array printed together run as one pass: each block is generated
# once for sum, mean, std, min and argmax (10^6 elements, not 5 * 10^6; the reductions are the
# sinks of one kernel, the checks below compile their own), and each result is
# exactly what it is alone.
# structure: kernels=5 tasks=41 generated=4000000
x = random.normal(shape=[10**6], chunks=10**5, seed=1)
print(x.sum(), x.mean(), x.std(), x.min(), x.argmax())
print(x.std() == std(x), float(x.sum()) == float(sum(x)))
# out: 322.0615864297878 0.00032206158642978776 0.9996801397829501 -4.867560476800193 681134
# out: true true
