# linalg.qr and linalg.svd of a tall array chunked by rows (TSQR), against NumPy:
# R up to row signs (abs), singular values, reconstructions and orthonormal factors.
# out: (203, 5) (5, 5) (40, 40, 40, 40, 40, 3)
# out: [[31.70625678, 18.59605592, 8.88730721, 25.55212744, 16.20715876], [0.0, 25.90985086, 29.62793195, 7.76932272, 19.56968924], [0.0, 0.0, 8.49992882, 17.60410711, 18.6897861], [0.0, 0.0, 0.0, 1.2853449, 3.93345248], [0.0, 0.0, 0.0, 0.0, 0.0]]
# out: true true
# out: [53.05753033, 43.52207345, 19.38888816, 1.23350972, 0.0]
# out: true true
# out: [53.05753033, 43.52207345, 19.38888816, 1.23350972, 0.0]
# out: (3, 3) (3, 4) true
a = (sin(arange(1015.0)) * 3 + cos(arange(1015.0) / 7.0)).reshape([203, 5]).rechunk([40, 5])
q, r = linalg.qr(a)
print(q.shape, r.shape, q.chunks[0])
print(round(abs(r), decimals=8))
print(max(abs(q @ r - a)) < 1e-12, max(abs(q.T @ q - eye(5))) < 1e-13)
u, s, vt = linalg.svd(a)
print(round(s, decimals=8))
print(max(abs((u * s) @ vt - a)) < 1e-12, max(abs(u.T @ u - eye(5))) < 1e-13)
print(round(linalg.svd(a, compute_uv=false), decimals=8))
w = (arange(12.0).reshape([3, 4]) ** 2) % 5.0
qw, rw = linalg.qr(w)
print(qw.shape, rw.shape, max(abs(qw @ rw - w)) < 1e-12)
