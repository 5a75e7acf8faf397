# mean of ints is f64; axis tuple; keepdims.
# out: 11.5 [[6.0, 7.0, 8.0, 9.0], [10.0, 11.0, 12.0, 13.0], [14.0, 15.0, 16.0, 17.0]]
# out: [5.5, 17.5] [[[1.5], [5.5], [9.5]], [[13.5], [17.5], [21.5]]]
# out: f64
x = arange(24).reshape(2, 3, 4)
print(mean(x), x.mean(axis=0))
print(x.mean(axis=(1, 2)), x.mean(axis=-1, keepdims=true))
print(mean(x).dtype)
