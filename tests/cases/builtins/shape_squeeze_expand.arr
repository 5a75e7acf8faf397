# squeeze (all length-1 axes or one), expand_dims (also negative axis), ravel.
# out: (3, 2) (3, 1, 2) (1, 3, 2) (1, 6) (6, 1) (6, 1)
# out: [0, 1, 2, 3, 4] [0, 3, 1, 4, 2, 5]
z = zeros([1, 3, 1, 2])
x = arange(6)
print(squeeze(z).shape, squeeze(z, axis=0).shape, squeeze(z, axis=2).shape, expand_dims(x, 0).shape, expand_dims(x, 1).shape, expand_dims(x, -1).shape)
print(ravel(arange(24).reshape(2, 3, 4))[:5], ravel(x.reshape(2, 3).T))
