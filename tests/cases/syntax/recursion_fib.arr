# Recursion with two calls and early return.
# out: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
# out: 6765
fn fib(n) {
    if n < 2 { return n }
    fib(n - 1) + fib(n - 2)
}
print([fib(i) for i in range(10)])
print(fib(20))
