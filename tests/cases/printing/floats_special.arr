# nan, inf and -inf print by name, also inside arrays.
# out: nan inf -inf
# out: [nan, inf, -inf, 1.0]
print(nan, inf, -inf)
print(array([nan, inf, -inf, 1.0]))
