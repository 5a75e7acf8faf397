# min/max/argmin/argmax propagate nan (the first nan wins); sum and mean too.
# out: nan nan 1 1 [nan, nan, -1.0] [1, 0] nan [nan, nan]
a = array([[1.0, nan, 3.0], [nan, 5.0, -1.0]])
print(min(a), max(a), argmin(a), argmax(a), min(a, axis=0), argmax(a, axis=1), sum(a), mean(a, axis=1))
