# any / all / count_nonzero.
# out: true false [true, false, false] [true, false] false 3 [1, 1, 1] [2, 1]
b = array([[true, false, false], [false, false, false]])
c = array([[0, 1, 2], [3, 0, 0]])
print(any(b), all(b), any(b, axis=0), b.any(axis=1), all(array([1, 2, 0])), count_nonzero(c), count_nonzero(c, axis=0), c.count_nonzero(axis=1))
