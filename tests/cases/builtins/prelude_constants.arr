# Prelude constants nan inf pi e newaxis.
# out: nan inf -inf
# out: 3.141592653589793 2.718281828459045
# out: (1, 2)
print(nan, inf, -inf)
print(pi, e)
print(ones(2)[newaxis].shape)
