# sum with axis none, int, negative int, tuple; keepdims.
# out: 276 [[12, 14, 16, 18], [20, 22, 24, 26], [28, 30, 32, 34]]
# out: [[12, 15, 18, 21], [48, 51, 54, 57]]
# out: [[6, 22, 38], [54, 70, 86]]
# out: [60, 92, 124] 276
# out: (2, 1, 4) (1, 1, 1)
# out: [[[60], [92], [124]]]
x = arange(24).reshape(2, 3, 4)
print(sum(x), sum(x, axis=0))
print(x.sum(axis=1))
print(x.sum(axis=-1))
print(x.sum(axis=(0, 2)), x.sum(axis=(0, 1, 2)))
print(x.sum(axis=1, keepdims=true).shape, x.sum(keepdims=true).shape)
print(x.sum(axis=(0, 2), keepdims=true))
