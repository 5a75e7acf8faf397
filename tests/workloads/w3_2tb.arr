# W3, the "2 TB" benchmark's pattern: (x + 1)[::2, ::2].sum() over an N x N normal array
# (N from the command line; 100000 is 80 GB of logical data). The slice reaches the generator,
# so exactly N^2/4 normals are made.
n = int(args[0])
x = random.normal(shape=[n, n], chunks=[10000, 10000], seed=11)
s = (x + 1)[::2, ::2].sum()
print(abs(float(s) / (n * n / 4) - 1) < 0.01)
