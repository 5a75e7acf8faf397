# An imported file may import another, relative to its own folder.
# out: 9
# out: 6
import "lib/uses_helpers.arr"
print(nine())
print(triple(2))
