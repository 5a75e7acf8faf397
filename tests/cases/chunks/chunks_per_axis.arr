# chunks= as a list or tuple per axis; -1 means the whole axis.
# out: ((10,), (3, 3, 1))
# out: ((1, 1), (2, 1))
# out: ((2, 2), (6,))
print(ones([10, 7], chunks=[-1, 3]).chunks)
print(ones([2, 3], chunks=(1, 2)).chunks)
print(zeros([4, 6], chunks=[2, -1]).chunks)
