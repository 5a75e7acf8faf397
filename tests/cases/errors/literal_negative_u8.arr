# -1 does not fit in u8 either.
# error: the literal -1 does not fit in u8
x = ones(2, dtype=u8) * -1
