# NumPy: np.pad(np.arange(5, dtype=np.uint8), 1, constant_values=300) raises OverflowError.
# error: 300 is out of bounds for u8
# at: 5:33
x = arange(5).astype(u8)
print(pad(x, 1, constant_values=300))
