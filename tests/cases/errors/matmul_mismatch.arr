# Inner dimensions of @ must agree.
# error: matmul: f64[2, 3] @ f64[4, 2] contracts 3 with 4
print(ones([2, 3]) @ ones([4, 2]))
