# clip(x, lo, hi).
# out: [2, 2, 2, 3, 4, 5, 6, 7, 7, 7]
# out: [0.0, 0.5, 1.0]
# out: i64
print(clip(arange(10), 2, 7))
print(clip(array([-1.5, 0.5, 3.5]), 0.0, 1.0))
print(clip(arange(10), 2, 7).dtype)
