# Helper for ../import_error_location.arr; on its own it fails the same way.
# error: cannot broadcast f64[2] with f64[3]
# at: 4:5
z = ones(2) + ones(3)
