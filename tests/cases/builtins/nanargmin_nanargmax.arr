# nanargmin / nanargmax (LANGUAGE.md §11, data-dependent) skip nan.
# out: 5 4
# out: [0, 1, 1] [2, 1]
a = array([[1.0, nan, 3.0], [nan, 5.0, -1.0]])
print(nanargmin(a), nanargmax(a))
print(nanargmin(a, axis=0), nanargmax(a, axis=1))
