# for over range(n), range(a, b), range(a, b, step).
# out: 0
# out: 1
# out: 2
# out: [2, 3, 4]
# out: [10, 7, 4, 1]
# out: 5
for i in range(3) { print(i) }
print([i for i in range(2, 5)])
print([i for i in range(10, 0, -3)])
print(len(range(5)))
