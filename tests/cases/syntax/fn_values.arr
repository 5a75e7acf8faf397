# Functions are values: they can be bound to names and passed as arguments.
# out: 9
# out: 16
fn sq(x) { x * x }
fn apply(f, x) { f(x) }
g = sq
print(g(3))
print(apply(sq, 4))
