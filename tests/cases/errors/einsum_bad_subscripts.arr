# Bad einsum subscripts are reported before running, naming the operands.
# error: einsum "ij,jk->il": output subscript 'l' is not in any operand
# at: 5:7
a = ones([2, 3])
print(einsum("ij,jk->il", a, ones([3, 4])))
