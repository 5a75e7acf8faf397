# fold: `ones * 2 + 1` over constant fills is one fill of 3.0; no kernel runs per block.
# structure: kernels=0 tasks=10 generated=0
y = ones([1000], chunks=100) * 2 + 1
print(y.sum())
# out: 3000.0
