# nanargmin of an all-nan slice has no answer (NumPy raises "All-NaN slice encountered"); it
# used to give 0.
# error: All-NaN slice encountered
x = array([1.0, nan])
print(nanargmin(x[1:]))
