# assert without a message: the first line is just "error: assertion failed" (not repeated).
# error: assertion failed
# golden
assert(false)
