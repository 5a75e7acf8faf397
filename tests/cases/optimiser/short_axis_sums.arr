# Sums over a short axis become adds of slices (the short_axis pass) in exactly the order the
# reduction follows, so every result is bitwise what --no-opt prints: one chunk of the axis is
# summed left to right from 0.0 (so [1, 1e16, -1e16] gives 0 and -0.0 gives 0.0), chunks of the
# axis are combined pairwise (chunks of 1 give 1 + (1e16 - 1e16) = 1), nansum skips nan, integer
# sums are exact and wrap, keepdims keeps the axis.
# structure: kernels=6 tasks=8
a = array([[1.0, 1e16, -1e16], [-0.0, -0.0, -0.0], [0.1, 0.2, 0.3], [nan, 1.0, 2.0]])
x = a * 1
print((x * 1).sum(axis=1))
print(nansum(x * 1, axis=1))
y = rechunk(a, [2, 1]) * 1
print((y * 1).sum(axis=1))
print((y * 1).sum(axis=1, keepdims=true))
i = array([[9223372036854775807, 1, 2], [1, 2, 3]])
print((i * 1).sum(axis=1))
print((i > 1).sum(axis=1))
# out: [0.0, 0.0, 0.6000000000000001, nan]
# out: [0.0, 0.0, 0.6000000000000001, 3.0]
# out: [1.0, 0.0, 0.6, nan]
# out: [[1.0], [0.0], [0.6], [nan]]
# out: [-9223372036854775806, 6]
# out: [2, 2]
