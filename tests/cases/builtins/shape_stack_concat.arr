# stack (new axis, also negative), concatenate, hstack, vstack.
# out: [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
# out: [[[0, 1], [4, 5]], [[2, 3], [6, 7]]]
# out: [[[0, 4], [1, 5]], [[2, 6], [3, 7]]]
# out: [[0, 1], [2, 3], [4, 5], [6, 7]] [[0, 1, 4, 5], [2, 3, 6, 7]]
# out: [[0, 1, 4, 5], [2, 3, 6, 7]] [[0, 1], [2, 3], [4, 5], [6, 7]]
# out: [0, 1, 0, 1, 2] [[0, 1], [0, 1]]
a = arange(4).reshape(2, 2)
b = arange(4, 8).reshape(2, 2)
print(stack([a, b]))
print(stack([a, b], axis=1))
print(stack([a, b], axis=-1))
print(concatenate([a, b]), concatenate([a, b], axis=1))
print(hstack([a, b]), vstack([a, b]))
print(hstack([arange(2), arange(3)]), vstack([arange(2), arange(2)]))
