# full_like's fill value is checked against the dtype it takes from x.
# error: 1000 is out of bounds for u8
# at: 4:36
print(full_like(ones(2, dtype=u8), 1000))
