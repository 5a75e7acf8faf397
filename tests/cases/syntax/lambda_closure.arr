# Functions and lambdas read the names of the scopes around them as they are when they run.
# out: 11
# out: 21
k = 10
f = |x| x + k
print(f(1))
k = 20
print(f(1))
