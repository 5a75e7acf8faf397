# einsum, tensordot, dot, trace, outer, kron, cov, corrcoef on several-block arrays,
# against NumPy.
# out: [[[8.0, 1.0, -9.0, 8.0, 1.0], [4.0, 1.0, -5.0, 4.0, 1.0], [0.0, 1.0, -1.0, 0.0, 1.0]], [[-4.0, 1.0, 3.0, -4.0, 1.0], [-8.0, 1.0, 7.0, -8.0, 1.0], [-12.0, 1.0, 11.0, -12.0, 1.0]]]
# out: true
# out: (2, 3, 5) [5.0, 9.0]
# out: 13.0 -15.0 [[0.0, 1.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 1.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
# out: (2, 3, 5) [[348.0, 268.0, 188.0], [268.0, 316.0, 364.0], [188.0, 364.0, 540.0]]
# out: [[[8.0, 1.0], [4.0, 1.0], [0.0, 1.0]], [[-4.0, 1.0], [-8.0, 1.0], [-12.0, 1.0]]] (2, 3, 5)
# out: -15.0 [4.0, 6.0, 8.0, 10.0] (5, 5)
# out: [[0, 1, 0, 2], [1, 0, 2, 0], [0, 3, 0, 4], [3, 0, 4, 0]]
# out: [[0.7, -0.5, -0.2, 0.7], [-0.5, 1.0, -0.5, -0.5], [-0.2, -0.5, 0.7, -0.2], [0.7, -0.5, -0.2, 0.7]] (5, 5)
# out: [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
p = (arange(24.0, chunks=7).reshape([2, 3, 4]) - 10).rechunk([1, 2, 3])
q = (arange(20.0, chunks=6).reshape([4, 5]) % 3 - 1).rechunk([3, 2])
print(einsum("ijk,kl->ijl", p, q))
print(all(einsum("ijk,kl", p, q) == einsum("ijk,kl->ijl", p, q)))
print(einsum("...k,kl->...l", p, q).shape, einsum("iji->j", arange(8.0).reshape([2, 2, 2])))
print(einsum("ij,ij->", q, q), einsum("ii", p[0, :, :3]), einsum("i,j->ij", q[0], q[:, 1]))
print(tensordot(p, q, axes=1).shape, tensordot(p, p, axes=[[0, 2], [0, 2]]))
print(dot(p, q[:, :2]), dot(p, q).shape)
print(trace(p[0]), trace(p, offset=1), outer(q[0], q[1]).shape)
print(kron(array([[1, 2], [3, 4]]), array([[0, 1], [1, 0]])))
print(round(cov(q), decimals=10), round(cov(q, rowvar=false, ddof=0), decimals=10).shape)
print(round(corrcoef(p[0]), decimals=10))
