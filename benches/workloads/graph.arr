# Graph construction: build an element-wise op over 10^6 chunks without computing it.
# Only the shape and the number of blocks are printed (known without computing).
#   arr graph.arr N C

n = int(args[0])
c = int(args[1])
x = ones(n, chunks=c)
y = (x + 1) * 2
print("shape", y.shape)
print("blocks", len(y.chunks[0]))
