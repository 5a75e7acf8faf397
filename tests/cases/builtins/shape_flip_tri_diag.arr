# flip (all axes or one), triu/tril with k=, diagonal with offset= and axis1/axis2.
# out: [[8, 7, 6], [5, 4, 3], [2, 1, 0]] [[6, 7, 8], [3, 4, 5], [0, 1, 2]] [[2, 1, 0], [5, 4, 3], [8, 7, 6]]
# out: [[0, 1, 2], [0, 4, 5], [0, 0, 8]] [[0, 0, 0], [3, 4, 0], [6, 7, 8]] [[0, 1, 2], [0, 0, 5], [0, 0, 0]] [[0, 0, 0], [3, 0, 0], [6, 7, 0]]
# out: [0, 4, 8] [1, 5] [3, 7]
# out: [[0, 5, 10], [12, 17, 22]]
m = arange(9).reshape(3, 3)
print(flip(m), flip(m, axis=0), flip(m, axis=1))
print(triu(m), tril(m), triu(m, k=1), tril(m, k=-1))
print(diagonal(m), diagonal(m, offset=1), m.diagonal(offset=-1))
print(diagonal(arange(24).reshape(2, 3, 4), axis1=1, axis2=2))
