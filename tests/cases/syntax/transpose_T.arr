# x.T reverses the axes.
# out: [[0, 3], [1, 4], [2, 5]]
# out: (4, 3, 2)
print(arange(6).reshape(2, 3).T)
print(zeros([2, 3, 4]).T.shape)
