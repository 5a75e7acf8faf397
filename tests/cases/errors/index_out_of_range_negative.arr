# A negative index beyond the start.
# error: index -6 is out of range for axis 0 of size 5
print(arange(5)[-6])
