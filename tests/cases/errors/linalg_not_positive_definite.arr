# cholesky of a matrix that is not positive definite names the condition.
# error: linalg.cholesky: the matrix f64[2, 2] is not positive definite
# at: 5:7
a = array([[1.0, 2.0], [2.0, 1.0]])
print(linalg.cholesky(a))
