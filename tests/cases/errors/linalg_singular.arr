# A singular matrix is an error naming the condition, at the call.
# error: linalg.inv: the matrix f64[2, 2] is singular
# at: 4:7
print(linalg.inv(array([[1.0, 2.0], [2.0, 4.0]], chunks=1)))
