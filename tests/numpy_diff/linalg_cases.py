#!/usr/bin/env python3
"""Writes the linear-algebra cases tests/cases/builtins/linalg_{tsqr,lstsq,square,norm_ords,
norm_normalise,contractions}.arr with the values NumPy gives (run from that folder:
`cd tests/cases/builtins && python3 ../../numpy_diff/linalg_cases.py`)."""
import numpy as np, sys
def fmt(v):
    v = np.asarray(v)
    if v.dtype == bool:
        return repr(v.tolist()).replace('True','true').replace('False','false')
    return repr(v.tolist())
R = lambda x, d=8: np.round(np.asarray(x, dtype=float), d) + 0.0

cases = {}
# ---- TSQR qr / svd on a tall array chunked by rows
n, k = 203, 5
i = np.arange(n * k, dtype=float)
A = (np.sin(i) * 3 + np.cos(i / 7.0)).reshape(n, k)
q, r = np.linalg.qr(A)
u, s, vt = np.linalg.svd(A, full_matrices=False)
cases['linalg_tsqr'] = ("""# linalg.qr and linalg.svd of a tall array chunked by rows (TSQR), against NumPy:
# R up to row signs (abs), singular values, reconstructions and orthonormal factors.
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
""", ['(203, 5) (5, 5) (40, 40, 40, 40, 40, 3)', fmt(R(np.abs(r))), 'true true', fmt(R(s)), 'true true', fmt(R(s)),
      '(3, 3) (3, 4) true'])
# ---- lstsq
B = np.cos(np.arange(203.0))
x, res, rank, sv = np.linalg.lstsq(A, B, rcond=None)
B2 = np.stack([B, np.sin(np.arange(203.0))], axis=1)
x2, res2, rank2, sv2 = np.linalg.lstsq(A, B2, rcond=None)
cases['linalg_lstsq'] = ("""# linalg.lstsq through TSQR: (x, residuals, rank, s), against NumPy.
a = (sin(arange(1015.0)) * 3 + cos(arange(1015.0) / 7.0)).reshape([203, 5]).rechunk([50, 5])
b = cos(arange(203.0, chunks=50))
x, res, rank, s = linalg.lstsq(a, b)
print(round(x, decimals=8), round(res, decimals=6), rank)
print(round(s, decimals=8))
b2 = stack([b, sin(arange(203.0))], axis=1)
x2, res2, rank2, s2 = linalg.lstsq(a, b2)
print(round(x2, decimals=8), round(res2, decimals=6), rank2)
xr, rr, kr, sr = linalg.lstsq(array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]), array([1.0, 2.0, 3.0]))
print(round(xr, decimals=10), rr.shape, kr)
""", [fmt(R(x)) + ' ' + fmt(R(res, 6)) + ' ' + str(rank), fmt(R(sv)),
      fmt(R(x2)) + ' ' + fmt(R(res2, 6)) + ' ' + str(rank2)])
xr, rr, kr, sr = np.linalg.lstsq(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]), np.array([1.0, 2.0, 3.0]), rcond=None)
cases['linalg_lstsq'][1].append(fmt(R(xr, 10)) + ' ' + str(rr.shape) .replace(',)', ',)') + ' ' + str(kr))
# ---- square routines
M = np.array([[4.0, 1.0, 2.0], [1.0, 5.0, 3.0], [2.0, 3.0, 6.0]])
N = np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
bb = np.array([1.0, -2.0, 3.0])
sg, ld = np.linalg.slogdet(N)
w, v = np.linalg.eigh(M)
stackm = np.stack([M, N + 3 * np.eye(3)])
cases['linalg_square'] = ("""# Square-matrix routines in memory, against NumPy (eigenvectors up to sign).
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
""", [fmt(R(np.linalg.solve(N, bb), 10)), fmt(R(np.linalg.solve(M, N), 10)), fmt(R(np.linalg.inv(N), 10)),
      repr(float(R(np.linalg.det(N), 10))) + ' ' + repr(float(R(np.linalg.det(M), 10))),
      repr(float(sg)) + ' ' + repr(float(R(ld, 10))),
      fmt(R(np.linalg.cholesky(M), 10)), fmt(R(w, 10)) + ' ' + fmt(R(np.abs(v), 10)),
      fmt(R(np.linalg.eigvalsh(M), 10)),
      fmt(R(np.linalg.pinv(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), 10)),
      '%d %d %d' % (np.linalg.matrix_rank(M), np.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]])), np.linalg.matrix_rank(np.zeros((3, 3)))),
      fmt(R(np.linalg.det(stackm))) + ' f32'])
# ---- norms
X = (np.arange(24.0).reshape(2, 3, 4) % 5.0) - 2.0
outs = []
lines = []
for src, val in [
    ('linalg.norm(x)', np.linalg.norm(X)),
    ('linalg.norm(x, axis=2)', np.linalg.norm(X, axis=2)),
    ('linalg.norm(x, ord=1, axis=0)', np.linalg.norm(X, ord=1, axis=0)),
    ('linalg.norm(x, ord=inf, axis=1)', np.linalg.norm(X, ord=np.inf, axis=1)),
    ('linalg.norm(x, ord=-inf, axis=-1)', np.linalg.norm(X, ord=-np.inf, axis=-1)),
    ('linalg.norm(x, ord=0, axis=2)', np.linalg.norm(X, ord=0, axis=2)),
    ('linalg.norm(x, ord=3, axis=2, keepdims=true)', np.linalg.norm(X, ord=3, axis=2, keepdims=True)),
    ('linalg.norm(x, ord="fro", axis=[1, 2])', np.linalg.norm(X, ord='fro', axis=(1, 2))),
    ('linalg.norm(x, ord="nuc", axis=[1, 2])', np.linalg.norm(X, ord='nuc', axis=(1, 2))),
    ('linalg.norm(x, ord=2, axis=[2, 1])', np.linalg.norm(X, ord=2, axis=(2, 1))),
    ('linalg.norm(x, ord=-2, axis=[1, 2], keepdims=true)', np.linalg.norm(X, ord=-2, axis=(1, 2), keepdims=True)),
    ('linalg.norm(x, ord=1, axis=[0, 2])', np.linalg.norm(X, ord=1, axis=(0, 2))),
    ('linalg.norm(x, ord=-1, axis=[2, 0])', np.linalg.norm(X, ord=-1, axis=(2, 0))),
    ('linalg.norm(x, ord=inf, axis=[1, 2])', np.linalg.norm(X, ord=np.inf, axis=(1, 2))),
    ('linalg.norm(x, ord=-inf, axis=[1, 2])', np.linalg.norm(X, ord=-np.inf, axis=(1, 2))),
    ('linalg.norm(x[0], ord=1)', np.linalg.norm(X[0], ord=1)),
    ('linalg.norm(x[0, 0], ord=1)', np.linalg.norm(X[0, 0], ord=1)),
]:
    lines.append('print(round(%s, decimals=10))' % src)
    outs.append(fmt(R(val, 10)))
cases['linalg_norm_ords'] = ("""# linalg.norm: every vector and matrix ord of LANGUAGE.md §11a along any axis, on a
# several-block array, against NumPy.
x = ((arange(24.0, chunks=5).reshape([2, 3, 4]) % 5.0) - 2.0).rechunk([1, 2, 3])
""" + "\n".join(lines) + "\nprint(linalg.norm(astype(arange(6, chunks=4), f32)).dtype, linalg.norm(arange(6)).dtype)\n", outs + ['f32 f64'])
# ---- embedding normalisation (streams)
E = np.sin(np.arange(60 * 8, dtype=np.float32)).reshape(60, 8).astype(np.float32)
Y = E / np.linalg.norm(E, axis=1, keepdims=True)
cases['linalg_norm_normalise'] = ("""# The embedding normalisation of the seed: x / linalg.norm(x, axis=1, keepdims=true) on
# f32 rows in several blocks (each row block is reduced and divided block by block).
x = astype(sin(arange(480.0, chunks=64)), f32).reshape([60, 8]).rechunk([7, 8])
y = x / linalg.norm(x, axis=1, keepdims=true)
print(y.dtype, y.shape, y.chunks[0][0])
print(round(astype(y, f64), decimals=5)[::13])
print(max(abs(sum(astype(y, f64) * astype(y, f64), axis=1) - 1.0)) < 1e-6)
""", ['f32 (60, 8) 7', fmt(np.round(Y.astype(np.float64), 5)[::13] + 0.0), 'true'])
# ---- contractions
P = np.arange(24.0).reshape(2, 3, 4) - 10
Q = np.arange(20.0).reshape(4, 5) % 3 - 1
cases['linalg_contractions'] = ("""# einsum, tensordot, dot, trace, outer, kron, cov, corrcoef on several-block arrays,
# against NumPy.
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
""", [fmt(np.einsum('ijk,kl->ijl', P, Q)), 'true',
      str(np.einsum('...k,kl->...l', P, Q).shape) + ' ' + fmt(np.einsum('iji->j', np.arange(8.0).reshape(2, 2, 2))),
      repr(float(np.einsum('ij,ij->', Q, Q))) + ' ' + repr(float(np.einsum('ii', P[0, :, :3]))) + ' ' + fmt(np.einsum('i,j->ij', Q[0], Q[:, 1])),
      str(np.tensordot(P, Q, axes=1).shape) + ' ' + fmt(np.tensordot(P, P, axes=([0, 2], [0, 2]))),
      fmt(np.dot(P, Q[:, :2])) + ' ' + str(np.dot(P, Q).shape),
      repr(float(np.trace(P[0]))) + ' ' + fmt(np.trace(P, offset=1)) + ' ' + str(np.outer(Q[0], Q[1]).shape),
      fmt(np.kron(np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]]))),
      fmt(R(np.cov(Q), 10)) + ' ' + str(np.cov(Q, rowvar=False, ddof=0).shape),
      fmt(R(np.corrcoef(P[0]), 10))])
for name, (body, outs) in cases.items():
    lines = body.split('\n')
    head = [l for l in lines[:4] if l.startswith('#')]
    body = '\n'.join(lines[len(head):])
    with open(name + '.arr', 'w') as f:
        f.write('\n'.join(head) + '\n')
        for o in outs:
            if o is None:
                continue
            f.write('# out: ' + o + '\n')
        f.write(body)
    print(name)
