# linalg.det / inv / solve / cholesky / qr / svd.
# out: 8.0
# out: [[0.375, -0.25], [-0.25, 0.5]]
# out: [1.0, 2.0]
# out: [[2.0, 0.0], [1.0, 1.414213562373]]
# out: (4, 3) (3, 3)
# out: [4.0, 3.0] (3, 2) (2, 2)
# out: (3, 3)
a = array([[4.0, 2.0], [2.0, 3.0]])
print(round(linalg.det(a), decimals=10))
print(round(linalg.inv(a), decimals=12))
print(linalg.solve(array([[2.0, 0.0], [1.0, 4.0]]), array([2.0, 9.0])))
print(round(linalg.cholesky(a), decimals=12))
q, r = linalg.qr(ones([4, 3]))
print(q.shape, r.shape)
u, s, vt = linalg.svd(array([[3.0, 0.0], [0.0, 4.0], [0.0, 0.0]]))
print(s, u.shape, vt.shape)
uf, sf, vtf = linalg.svd(array([[3.0, 0.0], [0.0, 4.0], [0.0, 0.0]]), full_matrices=true)
print(uf.shape)
