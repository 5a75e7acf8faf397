# A failing assert stops the program with its message.
# out: before
# error: assertion failed: one is not greater
# at: 6:1
print("before")
assert(1 > 2, "one is not greater")
print("after")
