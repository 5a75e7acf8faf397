# clip(x, lo, hi).
# out: [2, 2, 2, 3, 4, 5, 6, 7, 7, 7]
# out: [0.0, 0.5, 1.0]
# out: i64
# out: [1, 2, 250] u8
# out: [1, 2, 250] [1, 2, 100]
# out: [1, 2, 250] [1, 2, 250]
# out: [1, -7]
print(clip(arange(10), 2, 7))
print(clip(array([-1.5, 0.5, 3.5]), 0.0, 1.0))
print(clip(arange(10), 2, 7).dtype)
# NumPy 2: an integer bound beyond the dtype's range on its own side constrains nothing
# (np.clip(x_u8, -5, 300) is x; np.clip(x_i32, -2**40, 2**40) is x).
x = astype(array([1, 2, 250]), u8)
print(clip(x, -5, 300), clip(x, -5, 100).dtype)
print(clip(x, 0, 300), clip(x, -3, 100))
print(clip(x, none, 300), clip(x, -3, none))
print(clip(astype(array([1, -7]), i32), -2**40, 2**40))
