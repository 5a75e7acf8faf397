# Method form passes keyword arguments through, for builtins and user functions.
# out: [4, 6] [[4, 6]]
# out: [11, 12]
fn addk(x, k=0) { x + k }
x = array([[1, 2], [3, 4]])
print(x.sum(axis=0), x.sum(axis=0, keepdims=true))
print(array([1, 2]).addk(k=10))
