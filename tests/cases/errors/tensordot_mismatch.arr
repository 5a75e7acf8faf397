# tensordot's contracted axes must have equal lengths.
# error: tensordot(f64[2, 3], f64[4, 5]): axis 1 of a has length 3 but axis 0 of b has 4
print(tensordot(ones([2, 3]), ones([4, 5]), axes=1))
