# full(3, 300, dtype=u8) used to give 44 (NumPy: "Python integer 300 out of bounds for uint8").
# error: 300 is out of bounds for u8
# at: 4:15
print(full(3, 300, dtype=u8))
