# Recursion on scalars.
# out: 1 1 120 3628800
# out: 2432902008176640000
fn fact(n) {
    if n <= 1 { 1 } else { n * fact(n - 1) }
}
print(fact(0), fact(1), fact(5), fact(10))
print(fact(20))
