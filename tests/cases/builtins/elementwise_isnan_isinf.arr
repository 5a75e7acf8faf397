# isnan / isinf / isfinite give bool; nan_to_num with defaults and keywords.
# out: [false, true, false, false, false]
# out: [false, false, true, true, false]
# out: [true, false, false, false, true]
# out: bool
# out: [1.0, 0.0, 1.7976931348623157e+308, -1.7976931348623157e+308, 0.0]
# out: [1.0, -1.0, 9.0, -9.0, 0.0]
v = array([1.0, nan, inf, -inf, 0.0])
print(isnan(v))
print(isinf(v))
print(isfinite(v))
print(isnan(v).dtype)
print(nan_to_num(v))
print(nan_to_num(v, nan=-1.0, posinf=9.0, neginf=-9.0))
