# topk(x, k): the k largest, largest first; negative k: the |k| smallest, smallest first.
# out: [5, 4] [1, 2]
# out: [2, 4] [1, 3]
v = array([3, 1, 5, 2, 4])
print(topk(v, 2), topk(v, -2))
print(argtopk(v, 2), argtopk(v, -2))
