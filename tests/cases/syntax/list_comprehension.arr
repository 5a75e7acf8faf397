# List comprehensions, with and without `if`, over ranges, lists and arrays.
# out: [0, 1, 4, 9, 16]
# out: [0, 2, 4, 6, 8]
# out: [3.0, 12.0]
# out: []
# out: ["a!", "b!"]
print([i * i for i in range(5)])
print([i for i in range(10) if i % 2 == 0])
print([sum(r) for r in arange(6.0).reshape(2, 3)])
print([i for i in range(3) if i > 5])
print([s + "!" for s in ["a", "b"]])
