# Scheduler overhead: sum(ones(N, chunks=C)) — N / C tiny chunks, almost no arithmetic,
# so the time is the cost of handling chunks.
#   arr overhead.arr N C

n = int(args[0])
c = int(args[1])
print("chunks", n // c)
print("sum", sum(ones(n, chunks=c)))
