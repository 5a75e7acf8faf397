# import runs another file once and brings its top-level names in; paths are relative
# to the importing file.
# out: hi from helpers
# out: 12 3
# out: [3.0, 6.0]
import "lib/helpers.arr"
print(greeting)
print(triple(4), scale)
print(triple(array([1.0, 2.0])))
