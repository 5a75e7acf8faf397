# Lambdas: no parameters, block bodies, immediate calls, in lists, returned from functions
# (they keep the scope of the call that made them).
# out: 42
# out: 7
# out: 3
# out: 30
# out: 11
# out: 6
f = || 42
print(f())
g = |x| { y = x * 2; y + 1 }
print(g(3))
print((|x| x + 1)(2))
fs = [|a| a + 1, |a| a * 10]
print(fs[1](3))
fn compose(p, q) { |x| p(q(x)) }
h = compose(|x| x + 1, |x| x * 2)
print(h(5))
fn make(k) { |x| x * k }
m = make(3)
k = 100
print(m(2))
