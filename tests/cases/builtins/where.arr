# where(c, a, b) selects element-wise, broadcasting scalars; result dtype by promotion.
# out: [1, 20, 3]
# out: [-1, -1, -1, 3, 4]
# out: [0.0, 0.5, 2.0, 0.5]
# out: f64
# out: [[0, 1], [1, 0]]
print(where(array([true, false, true]), array([1, 2, 3]), array([10, 20, 30])))
print(where(arange(5) > 2, arange(5), -1))
print(where(arange(4) % 2 == 0, arange(4), 0.5))
print(where(array([true, false]), 1.5, 0).dtype)
print(where(eye(2) > 0, 0, 1))
