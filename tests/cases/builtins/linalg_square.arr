# Square-matrix routines in memory, against NumPy (eigenvectors up to sign).
# out: [-0.4, -1.6, 4.2]
# out: [[-0.3, 0.6, 0.2], [-0.1428571429, 0.2857142857, -0.1428571429], [0.6714285714, -0.3428571429, 0.1714285714]]
# out: [[-0.2, 0.4, 0.2], [0.2, 0.6, -0.2], [0.6, -1.2, 0.4]]
# out: -5.0 70.0
# out: -1.0 1.6094379124
# out: [[2.0, 0.0, 0.0], [0.5, 2.1794494718, 0.0], [1.0, 1.1470786694, 1.9194297399]]
# out: [2.1943971674, 3.3867701566, 9.418832676] [[0.4412246969, 0.8155834193, 0.3743587224], [0.5773502692, 0.5773502692, 0.5773502692], [0.6870134158, 0.0386050884, 0.7256185042]]
# out: [2.1943971674, 3.3867701566, 9.418832676]
# out: [[-1.3333333333, -0.3333333333, 0.6666666667], [1.0833333333, 0.3333333333, -0.4166666667]]
# out: 3 1 0
# out: [70.0, 28.0] f32
m = array([[4.0, 1.0, 2.0], [1.0, 5.0, 3.0], [2.0, 3.0, 6.0]], chunks=2)
n = array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
print(round(linalg.solve(n, array([1.0, -2.0, 3.0])), decimals=10))
print(round(linalg.solve(m, n), decimals=10))
print(round(linalg.inv(n), decimals=10))
print(round(linalg.det(n), decimals=10), round(linalg.det(m), decimals=10))
sg, ld = linalg.slogdet(n)
print(sg, round(ld, decimals=10))
print(round(linalg.cholesky(m), decimals=10))
w, v = linalg.eigh(m)
print(round(w, decimals=10), round(abs(v), decimals=10))
print(round(linalg.eigvalsh(m), decimals=10))
print(round(linalg.pinv(array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), decimals=10))
print(linalg.matrix_rank(m), linalg.matrix_rank(array([[1.0, 2.0], [2.0, 4.0]])), linalg.matrix_rank(zeros([3, 3])))
print(round(linalg.det(stack([m, n + 3 * eye(3)])), decimals=8), round(linalg.inv(astype(m, f32)), decimals=4).dtype)
