# x[idx] with a 1-D integer array gathers (repeats and negatives allowed, as NumPy).
# out: [30, 10, 10, 50]
# out: [[6, 7, 8], [0, 1, 2]]
# out: [50, 40]
x = arange(0, 60, 10)
print(x[array([3, 1, 1, 5])])
print(arange(9).reshape(3, 3)[array([2, 0])])
print(x[array([-1, -2])])
