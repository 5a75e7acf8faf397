# tensordot(a, b, axes=), norm and linalg.norm (2-norm), with axis=.
# out: [[10, 13], [28, 40]] 55.0
# out: 5.0 5.0 [5.0, 10.0]
print(tensordot(arange(6).reshape(2, 3), arange(6).reshape(3, 2), axes=1), tensordot(arange(6.0).reshape(2, 3), arange(6.0).reshape(2, 3)))
print(norm(array([3.0, 4.0])), linalg.norm(array([3.0, 4.0])), norm(array([[3.0, 4.0], [6.0, 8.0]]), axis=1))
