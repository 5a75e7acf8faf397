# abs and sign keep the dtype; sign(nan) is nan.
# out: [3, 0, 2] [-1, 0, 1] i64
# out: [1.5, 0.0, 2.0] [-1.0, 0.0, nan]
i = array([-3, 0, 2])
print(abs(i), sign(i), abs(i).dtype)
f = array([-1.5, -0.0, 2.0])
print(abs(f), sign(array([-1.5, 0.0, nan])))
