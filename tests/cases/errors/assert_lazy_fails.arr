# An assert on a lazy 0-d condition computes it and fails.
# error: assertion failed: too small
assert(sum(ones(3)) > 5, "too small")
print("after")
