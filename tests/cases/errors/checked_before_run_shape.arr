# A script is checked as a whole before any of it runs: a later shape error means
# nothing is printed at all.
# error: cannot broadcast f64[3] with f64[4]
# at: 8:7
print("this must not appear")
x = sum(ones(10))
print(x)
print(ones(3) + ones(4))
