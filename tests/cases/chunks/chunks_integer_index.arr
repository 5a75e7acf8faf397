# An integer index drops the axis from the chunks; newaxis adds a (1,) axis.
# out: ((3, 1),)
# out: ((2, 2, 2), (1,), (3, 1))
# out: ()
x = ones([6, 4], chunks=[2, 3])
print(x[0].chunks)
print(x[:, newaxis].chunks)
print(ones(20, chunks=5)[7].chunks)
