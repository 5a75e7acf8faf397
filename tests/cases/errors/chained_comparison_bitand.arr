# `&` binds tighter than comparisons, so `x > 1 & x < 4` is a chained comparison: an error.
# error: chained comparisons are not allowed
x = arange(5)
y = x > 1 & x < 4
