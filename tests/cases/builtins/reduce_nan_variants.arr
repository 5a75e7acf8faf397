# The nan* reductions skip nan: nansum nanprod nanmean nanvar nanstd nanmin nanmax.
# out: 8.0 -15.0 2.0 5.0 2.23606797749979 -1.0 5.0
# out: [1.0, 5.0, 2.0] [3.0, -5.0] [1.0, 5.0, 1.0] [2.0, 18.0] [1.0, 3.0] [1.0, -1.0] [1.0, 5.0, 3.0]
# out: [[4.0], [4.0]]
a = array([[1.0, nan, 3.0], [nan, 5.0, -1.0]])
print(nansum(a), nanprod(a), nanmean(a), nanvar(a), nanstd(a), nanmin(a), nanmax(a))
print(nansum(a, axis=0), nanprod(a, axis=1), nanmean(a, axis=0), nanvar(a, axis=1, ddof=1), nanstd(a, axis=1), nanmin(a, axis=1), nanmax(a, axis=0))
print(nansum(a, axis=1, keepdims=true))
