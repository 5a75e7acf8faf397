# Along an axis, any all-nan lane is an error.
# error: All-NaN slice encountered
print(nanargmax(array([[1.0, nan], [2.0, nan]]), axis=0))
