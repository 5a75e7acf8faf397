# A mask result larger than its share of a small memory limit: the pieces that fit are
# held, the others are computed again when pulled, and the values are the same.
# Expected values from NumPy.
# flags: --memory-limit 128KiB
x = arange(20000, chunks=1000) * 0.5
m = x % 3 < 1
k = x[m]
print(len(k))
print(k[:4], k[-2:])
print(sum(k), sum(k[::7]))
y = reshape(arange(600, chunks=50), [200, 3])
r = y[y[:, 1] % 4 == 0]
print(r.shape, r[-1], sum(r))
# out: 6668
# out: [0.0, 0.5, 3.0, 3.5] [9999.0, 9999.5]
# out: 33338333.0 4762618.0
# out: (?, 3) [591, 592, 593] 44700
