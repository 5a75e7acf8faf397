# `return` from inside a loop leaves the function.
# out: 3
# out: -1
fn first_over(xs, limit) {
    for i in range(len(xs)) {
        if xs[i] > limit { return i }
    }
    -1
}
print(first_over([1, 4, 9, 16, 25], 10))
print(first_over([1, 2], 10))
