# TSQR (issue 13): linalg.qr of a tall-and-skinny n x 16 f64 array chunked by rows (10^5 rows a
# block; n = 2 x 10^7 is 2.5 GB), then Q's orthonormality checked by the streamed product
# Q^T Q. The input is an integer formula NumPy and Dask evaluate the same way.
#   arr tsqr.arr N

n = if len(args) > 0 { int(args[0]) } else { 20000000 }
i = arange(n, chunks=100000)[:, newaxis]
j = arange(16)[newaxis, :]
x = ((i * 7 + j * 3) % 101) / 101.0 + ((i * (j + 2)) % 103) / 103.0
q, r = linalg.qr(x)
print("n", n)
print("rdiag", sum(abs(diagonal(r))))
print("orth_ok", max(abs(q.T @ q - eye(16))) < 1e-10)
