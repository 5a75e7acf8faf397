# An error inside an imported file points into that file.
# error: cannot broadcast f64[2] with f64[3]
print("before")
import "lib/bad_shape.arr"
