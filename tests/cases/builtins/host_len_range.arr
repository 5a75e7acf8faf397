# len of lists, tuples, strings and arrays (first axis); range forms.
# out: 3 2 5 4 0
# out: [0, 1, 2] [1, 3, 5, 7] [5, 4, 3]
print(len([1, 2, 3]), len((1, 2)), len("hello"), len(ones([4, 2])), len([]))
print([i for i in range(3)], [i for i in range(1, 9, 2)], [i for i in range(5, 2, -1)])
