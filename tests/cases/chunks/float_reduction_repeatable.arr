# For a fixed grid, float reductions are bitwise repeatable whatever the thread count
# (the harness runs this with --threads 1 and 2). sum agrees with NumPy to the last bit;
# the var/std values are Arr's (NumPy: 1.6447259162662077e-06, 0.0012824693216579369).
# out: 14.392726722865726 1.4392726722865727e-05
# out: 1.6447259162662073e-06 0.0012824693216579367
# out: true
x = 1.0 / arange(1, 1000001, chunks=7777)
print(sum(x), mean(x))
print(var(x), std(x, ddof=1))
print(abs(var(x) - 1.6447259162662077e-06) < 1e-18)
