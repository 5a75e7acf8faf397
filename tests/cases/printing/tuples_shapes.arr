# Tuples print as (a, b); one-element tuples as (200,); shapes are tuples.
# out: (200,) (3, 4) ()
# out: (1, "a", 2.5)
print(zeros(200).shape, zeros([3, 4]).shape, sum(zeros(3)).shape)
print((1, "a", 2.5))
