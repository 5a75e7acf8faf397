# Lists holding arrays print the arrays inline; str() gives the printed form.
# out: [[1.0, 1.0], 3]
# out: 0.1 1e-06 -inf nan true [1.0] f32
print([ones(2), 3])
print(str(0.1), str(1e-6), str(-inf), str(nan), str(true), str([1.0]), str(f32))
