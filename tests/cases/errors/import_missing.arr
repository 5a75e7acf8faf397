# Importing a file that does not exist.
# error: cannot import "lib/does_not_exist.arr"
import "lib/does_not_exist.arr"
