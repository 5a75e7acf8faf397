# astype(x, dtype) with a dtype value or its name; float -> int truncates; int -> u8 wraps.
# out: [1, -1, 0, 2] i64
# out: [255, 0, 44] u8
# out: [false, true, true] [false, true, true]
# out: [1.0, 0.0] f32
# out: [0.10000000149011612]
# out: true
a = astype(array([1.7, -1.7, 0.0, 2.5]), i64)
print(a, a.dtype)
u = astype(array([-1, 256, 300]), "u8")
print(u, u.dtype)
print(astype(array([0, 2, -1]), bool), astype(array([0.0, 0.5, nan]), bool))
f = array([true, false]).astype(f32)
print(f, f.dtype)
print(astype(astype(array([0.1]), f32), f64))
print(astype(ones(2), f32).dtype == astype(ones(2), "f32").dtype)
