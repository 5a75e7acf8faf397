# LANGUAGE.md §1: shape and dtype are known before any computation; only what is needed runs.
# out: (200,) f64
# out: (5,)
# out: true true
x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)
y = x.mean(axis=0)[::100]
print(y.shape, y.dtype)
print(y[:5].shape)
print(all(abs(y - 10) < 0.01), all(abs(y[:3] - x[:, 0:201:100].mean(axis=0)) < 1e-12))
