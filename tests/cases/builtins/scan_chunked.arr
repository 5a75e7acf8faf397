# Scans across many chunks give the same result as one chunk.
# out: 4950 [0, 1, 3, 6, 10]
# out: true
a = arange(100, chunks=7)
c = cumsum(a)
print(c[-1], c[:5])
print(all(c == cumsum(arange(100, chunks=-1))))
