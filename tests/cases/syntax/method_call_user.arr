# Method form works for user functions too, chained.
# out: [2, 4, 6]
# out: [3, 5, 7]
# out: 15
fn double(x) { x * 2 }
fn addk(x, k) { x + k }
a = array([1, 2, 3])
print(a.double())
print(a.double().addk(1))
print(a.double().addk(1).sum())
