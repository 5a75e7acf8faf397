# An einsum label with two lengths is an error naming both.
# error: einsum "ij,jk->ik": 'j' has lengths 3 and 5
print(einsum("ij,jk->ik", ones([2, 3]), ones([5, 4])))
