# @ on N-D arrays broadcasts over the leading axes, as NumPy's matmul.
# out: [[[28, 34], [76, 98], [124, 162]], [[172, 226], [220, 290], [268, 354]]]
# out: (2, 3, 5)
x = arange(24, chunks=5).reshape(2, 3, 4)
print(x @ arange(8).reshape(4, 2))
print((ones([2, 3, 4]) @ ones([2, 4, 5])).shape)
