# linalg.lstsq through TSQR: (x, residuals, rank, s), against NumPy.
# out: [-0.00623522, 0.01800781, 0.00497333, -0.00752221, 0.017738] [] 4
# out: [53.05753033, 43.52207345, 19.38888816, 1.23350972, 0.0]
# out: [[-0.00623522, 0.0717346], [0.01800781, -0.07543805], [0.00497333, 0.00150088], [-0.00752221, 0.0791597], [0.017738, -0.06655791]] [] 4
# out: [0.2, 0.4] (0,) 1
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
