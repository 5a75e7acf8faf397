# An unknown map_overlap boundary is refused at the argument.
# error: unknown boundary "bounce"
# at: 4:59
print(map_overlap(|b| b, arange(10.0, chunks=5), boundary="bounce"))
