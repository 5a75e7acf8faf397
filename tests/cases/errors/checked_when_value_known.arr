# Facts that depend on computed values are checked when those values are known, still before
# the computation that depends on them starts: here "before" is printed, then the error.
# out: before
# error: cannot broadcast f64[3] with f64[4]
print("before")
n = int(sum(ones(3)))
y = ones(n) + ones(4)
print(y)
