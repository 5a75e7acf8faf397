# A map_blocks function that drops an axis needs drop_axis=; checked before the print runs.
# error: the function returns f64 for arrays of f64[10], but 1 dimension(s) were expected (use drop_axis=)
# at: 5:16
print("before")
y = map_blocks(|b| b.sum(), arange(10.0, chunks=4))
