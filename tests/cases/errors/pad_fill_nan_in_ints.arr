# NumPy: np.pad(np.arange(5, dtype=np.int32), 1, constant_values=np.nan) raises ValueError.
# error: cannot convert float nan to integer
# at: 5:33
x = arange(5).astype(i32)
print(pad(x, 1, constant_values=nan))
