# A gather index known to be out of range is an error before computing, pointing at the index.
# error: index 5 is out of range for axis 0 of size 5
# at: 5:17
print("before")
print(arange(5)[array([1, 5])])
