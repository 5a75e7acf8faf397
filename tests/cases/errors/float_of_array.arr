# float() needs a single value.
# error: float() needs a single value, got f64[3]
print(float(ones(3)))
