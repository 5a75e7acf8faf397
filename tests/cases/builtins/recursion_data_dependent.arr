# Recursion whose end depends on computed data is checked without following it (its result
# is unknown to the checker) and runs to its end.
# out: 3
x = ones(3)
fn count(n) {
    if n >= x.sum() {
        return n
    }
    count(n + 1)
}
print(count(0))
fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
assert(fib(15) == 610)
