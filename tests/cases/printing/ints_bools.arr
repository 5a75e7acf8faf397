# Integers print as integers; bools as true/false.
# out: 42 -7 0 9223372036854775807
# out: true false
# out: [1, -2, 3] [true, false]
# out: [255, 0] [-5, 5]
print(42, -7, 0, 9223372036854775807)
print(true, false)
print(array([1, -2, 3]), array([true, false]))
print(array([255, 0], dtype=u8), astype(array([-5, 5]), i32))
