# linalg.norm: every vector and matrix ord of LANGUAGE.md §11a along any axis, on a
# several-block array, against NumPy.
# out: 6.7823299831
# out: [[2.4494897428, 3.0, 3.1622776602], [3.0, 2.4494897428, 2.4494897428]]
# out: [[2.0, 2.0, 2.0, 3.0], [3.0, 2.0, 2.0, 2.0], [3.0, 3.0, 2.0, 2.0]]
# out: [[2.0, 2.0, 2.0, 1.0], [2.0, 1.0, 2.0, 2.0]]
# out: [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
# out: [[3.0, 3.0, 4.0], [3.0, 3.0, 3.0]]
# out: [[[2.15443469], [2.5712815907], [2.6207413942]], [[2.5712815907], [2.15443469], [2.15443469]]]
# out: [5.0, 4.582575695]
# out: [8.2028993766, 7.4494897428]
# out: [3.6972304737, 3.6180339887]
# out: [[[1.48473267]], [[1.3819660113]]]
# out: [3.0, 3.0, 3.0]
# out: [4.0, 4.0, 4.0]
# out: [6.0, 5.0]
# out: [4.0, 4.0]
# out: 5.0
# out: 4.0
# out: f32 f64
x = ((arange(24.0, chunks=5).reshape([2, 3, 4]) % 5.0) - 2.0).rechunk([1, 2, 3])
print(round(linalg.norm(x), decimals=10))
print(round(linalg.norm(x, axis=2), decimals=10))
print(round(linalg.norm(x, ord=1, axis=0), decimals=10))
print(round(linalg.norm(x, ord=inf, axis=1), decimals=10))
print(round(linalg.norm(x, ord=-inf, axis=-1), decimals=10))
print(round(linalg.norm(x, ord=0, axis=2), decimals=10))
print(round(linalg.norm(x, ord=3, axis=2, keepdims=true), decimals=10))
print(round(linalg.norm(x, ord="fro", axis=[1, 2]), decimals=10))
print(round(linalg.norm(x, ord="nuc", axis=[1, 2]), decimals=10))
print(round(linalg.norm(x, ord=2, axis=[2, 1]), decimals=10))
print(round(linalg.norm(x, ord=-2, axis=[1, 2], keepdims=true), decimals=10))
print(round(linalg.norm(x, ord=1, axis=[0, 2]), decimals=10))
print(round(linalg.norm(x, ord=-1, axis=[2, 0]), decimals=10))
print(round(linalg.norm(x, ord=inf, axis=[1, 2]), decimals=10))
print(round(linalg.norm(x, ord=-inf, axis=[1, 2]), decimals=10))
print(round(linalg.norm(x[0], ord=1), decimals=10))
print(round(linalg.norm(x[0, 0], ord=1), decimals=10))
print(linalg.norm(astype(arange(6, chunks=4), f32)).dtype, linalg.norm(arange(6)).dtype)
