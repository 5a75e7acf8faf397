# `import` runs a file once, even when imported twice.
# out: once
# out: 9
import "lib/prints_once.arr"
import "lib/prints_once.arr"
print(nine())
