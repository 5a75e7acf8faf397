# `...` in an array type matches any number of dimensions.
# out: (2, 3) (4,) ()
fn same(x: f64[...]) -> f64[...] { x }
print(same(ones([2, 3])).shape, same(zeros(4)).shape, same(sum(ones(3))).shape)
