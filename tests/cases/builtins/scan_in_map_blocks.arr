# A scan inside map_blocks: each block's template nodes are new, so scan carries are kept per
# node and never confused between blocks (a reused address once gave a stale carry).
# out: [0.0, 1.0, 3.0, 6.0, 10.0, 5.0, 11.0, 18.0, 26.0, 35.0, 10.0, 21.0]
# out: 378.0
b = arange(12.0, chunks=5)
print(map_blocks(|b| cumsum(b), b))
c = reshape(arange(24.0), [4, 6]).rechunk([2, 3])
print(sum(map_blocks(|b| cumsum(b, axis=0), c)))
