# Files that import each other are each run once; no endless loop.
# out: 1 2
import "lib/cycle_a.arr"
print(from_a(), from_b())
