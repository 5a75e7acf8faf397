# zeros([10**18, 10**18]).size used to print a negative number.
# error: array is too big
# at: 4:7
print(zeros([10**18, 10**18]).size)
