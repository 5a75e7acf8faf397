# @, matmul, dot, outer.
# out: [[3.0], [7.0]] [[1.0, 1.0], [1.0, 1.0]]
# out: 11.0 [[3, 4], [6, 8]]
# out: [[19, 22], [43, 50]] (3, 5)
print(array([[1.0, 2.0], [3.0, 4.0]]) @ array([[1.0], [1.0]]), matmul(eye(2), ones([2, 2])))
print(dot(array([1.0, 2.0]), array([3.0, 4.0])), outer(array([1, 2]), array([3, 4])))
print(array([[1, 2], [3, 4]]) @ array([[5, 6], [7, 8]]), (ones([3, 4], chunks=2) @ ones([4, 5], chunks=3)).shape)
