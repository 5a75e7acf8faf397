# Parameters may have defaults (as Python); keywords may be given in any order.
# out: 3 12 5
fn lin(x, a=1, b=2) { a * x + b }
print(lin(1), lin(2, a=5), lin(1, b=0, a=5))
