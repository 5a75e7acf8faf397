# Arrays print as nested brackets.
# out: [[1.0, 2.5], [3.0, 4.0]]
# out: [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
# out: [[0], [1]]
# out: 7
print(array([[1.0, 2.5], [3.0, 4.0]]))
print(arange(8).reshape(2, 2, 2))
print(arange(2).reshape(2, 1))
print(array(7))
