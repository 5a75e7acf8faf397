# Float literals: 1.5, exponent forms, trailing and leading dot.
# out: 1.5 1e-06 2.0 0.5
# out: 2500.0 0.0025 1.0
# out: 2.5
print(1.5, 1e-6, 2., .5)
print(2.5e3, 2.5E-3, 1e0)
print(2. + .5)
