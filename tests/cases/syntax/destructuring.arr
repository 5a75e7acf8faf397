# `a, b = expr` destructures tuples and lists.
# out: 1 2
# out: 2 1
# out: x y z
# out: 3 4
a, b = (1, 2)
print(a, b)
a, b = (b, a)
print(a, b)
p, q, r = ["x", "y", "z"]
print(p, q, r)
fn divmod2(n, d) { (n // d, n % d) }
quo, rem = divmod2(19, 5)
print(quo, rem)
