# sign of -0.0 is 0.0 (NumPy: np.sign(-0.0) == 0.0, printed without the minus).
# out: 0.0 [0.0, 0.0, -1.0, 1.0]
print(sign(-0.0), sign(array([-0.0, 0.0, -2.0, 3.0])))
