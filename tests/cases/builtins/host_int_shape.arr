# A shape built from int(sum(x)) is checked when the value is known (LANGUAGE.md §5).
# out: 3
# out: [1.0, 1.0, 1.0]
# out: (3, 2)
n = int(sum(ones(3)))
print(n)
print(ones(n))
print(zeros([n, 2]).shape)
