# A non-finite float cannot become an integer.
# error: cannot convert float inf to integer
# at: 4:13
print(array([[1.0, inf]], dtype=i32))
