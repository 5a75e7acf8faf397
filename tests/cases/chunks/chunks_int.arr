# chunks= as an int gives the same block length on every axis; the last block may be smaller.
# out: ((5, 5, 5, 5),)
# out: ((4, 4, 2), (4, 3))
# out: ((1000, 1000, 500),)
print(ones(20, chunks=5).chunks)
print(ones([10, 7], chunks=4).chunks)
print(zeros(2500, chunks=1000).chunks)
