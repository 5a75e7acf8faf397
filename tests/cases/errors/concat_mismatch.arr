# concatenate needs equal shapes off the joined axis.
# error: array 1 is f64[2, 3] but array 0 is f64[2, 2]
print(concatenate([ones([2, 2]), ones([2, 3])]))
