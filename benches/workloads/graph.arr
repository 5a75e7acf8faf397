# Graph construction: build an element-wise op over 10^6 chunks without computing it.
# Only the shape and the number of blocks are printed (known without computing).
#   arr graph.arr [N C]        (default N = 10^9, C = 1000; `arr check graph.arr` uses these)

n = if len(args) > 0 { int(args[0]) } else { 1_000_000_000 }
c = if len(args) > 1 { int(args[1]) } else { 1000 }
x = ones(n, chunks=c)
y = (x + 1) * 2
print("shape", y.shape)
print("blocks", len(y.chunks[0]))
