# stack needs arrays of one shape.
# error: stack needs arrays of one shape
print(stack([ones(2), ones(3)]))
