# eye(n), eye(n, dtype=).
# out: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
# out: [[1, 0], [0, 1]] i64
print(eye(3))
e = eye(2, dtype=i64)
print(e, e.dtype)
