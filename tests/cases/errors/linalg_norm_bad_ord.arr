# An ord that is not a matrix norm is an error at the argument.
# error: invalid norm order 3 for matrices
print(linalg.norm(ones([3, 3]), ord=3))
