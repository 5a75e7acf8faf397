# for over the first axis of a small computed array.
# out: [0, 1, 2] 3
# out: [3, 4, 5] 12
# out: 0.5
# out: 1.5
m = arange(6).reshape(2, 3)
for row in m { print(row, sum(row)) }
for v in array([0.5, 1.5]) { print(v) }
