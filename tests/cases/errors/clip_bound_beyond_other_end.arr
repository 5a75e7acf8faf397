# A lower clip bound above the dtype's largest value is refused, as NumPy 2 refuses it.
# error: the literal 300 does not fit in u8
x = clip(astype(array([1, 2]), u8), 300, 400)
