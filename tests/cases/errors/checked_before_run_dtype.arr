# A dtype error later in the script stops it before anything prints.
# error: `g` expects x of dtype i32
print(sum(arange(10)))
fn g(x: i32[n]) { x }
g(arange(3))
