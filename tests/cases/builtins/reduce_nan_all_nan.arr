# All-nan slices: nanmean and nanmax give nan, nansum gives 0.0 (NumPy).
# out: nan 0.0 [nan, 1.0]
print(nanmean(array([nan, nan])), nansum(array([nan])), nanmax(array([[nan], [1.0]]), axis=1))
