# Lambdas `|a, b| a * b` and `|x| ...`, also passed to functions.
# out: 12
# out: 6
# out: [2, 3, 4]
mul = |a, b| a * b
print(mul(3, 4))
fn apply2(f, x) { f(x, x) }
print(apply2(|a, b| a + b + 2, 2))
inc = |x| x + 1
print(inc(array([1, 2, 3])))
