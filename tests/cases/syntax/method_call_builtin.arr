# Method form: x.f(a) means f(x, a) for builtins.
# out: 15 15
# out: [3, 12] [3, 12]
# out: (3, 2) (3, 2)
# out: [1.0, 2.0] f32
x = arange(6).reshape(2, 3)
print(x.sum(), sum(x))
print(x.sum(axis=1), sum(x, axis=1))
print(x.transpose().shape, transpose(x).shape)
print(array([1, 2]).astype(f32), array([1, 2]).astype("f32").dtype)
