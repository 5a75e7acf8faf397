# imshow needs a 2-D array; checked before anything runs.
# error: imshow needs a 2-D array, got f64[2, 3, 4]
# at: 5:8
print("never printed")
imshow(ones([2, 3, 4]), path="/tmp/arr_case_never.png")
