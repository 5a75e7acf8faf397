# Each function call has its own scope: assignments inside don't leak out.
# out: 5
# out: 1
# out: 120
x = 1
fn f() { x = 5; x }
print(f())
print(x)
fn prod_to(n) { acc = 1; for i in range(1, n + 1) { acc = acc * i }; acc }
print(prod_to(5))
