# The launch walks trailing axes that step together as one run (launch::merged_from):
# generated values through merged, sliced, reversed and broadcast axes equal those of a
# materialised 1-D array reshaped.
a = random.normal(0, 1, shape=[8, 10, 6], seed=3)
flat = compute(random.normal(0, 1, shape=[480], seed=3))
b = flat.reshape([8, 10, 6])
print(all(a == b), all(a[::2, 1::3, ::-2] == b[::2, 1::3, ::-2]), all((a + 1)[:, 3:4, :] == b[:, 3:4, :] + 1))
print(all(a.T == b.T), all(a[1:2] * 2 == b[1:2] * 2), all(a[:, :, 2] == b[:, :, 2]))
i = random.integers(0, 100, shape=[5, 1, 7], seed=9)
j = compute(random.integers(0, 100, shape=[35], seed=9)).reshape([5, 1, 7])
print(all(i == j), all(i[:, :, ::3] == j[:, :, ::3]), sum(i) == sum(j))
print(all(a + arange(6) == b + arange(6)), all(a[:, ::-1, :] - 1 == b[:, ::-1, :] - 1))
# out: true true true
# out: true true true
# out: true true true
# out: true true
